-- The balance at a point in time and the ledger filtered by time read a user's rows by their time
-- (credit.BalanceHistory): the balance is the sum of the amounts up to the instant (read from the
-- index alone), the lots' draws are found from those rows. Holds have no ledger row: the credits
-- held at an instant are the holds created by then and not yet settled.
CREATE INDEX credit_ledger_user_time_idx ON credit_ledger (user_id, created_at) INCLUDE (amount);
CREATE INDEX credit_holds_user_time_idx ON credit_holds (user_id, created_at);
