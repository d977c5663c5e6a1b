// Compiles only if the types openapi-typescript generates from the document describe the API the
// way a TypeScript client uses it: typed bodies, nullable fields, problem+json errors, headers.
import type { components, operations, paths } from "./generated/genledger";

type User = components["schemas"]["User"];
type Problem = components["schemas"]["Problem"];

const created: paths["/v1/users"]["post"]["responses"][201]["content"]["application/json"] = {
  id: "0b6f3c5e-8a47-4c1e-9b0a-2f1d7c9e4a11",
  email: "ada@example.com",
  externalId: null,
  displayName: null,
  balance: 0,
  createdAt: "2026-12-01T10:00:00Z",
  updatedAt: "2026-12-01T10:00:00Z",
};

const grant: operations["grantCredits"]["requestBody"]["content"]["application/json"] = {
  amount: 100,
  reason: "welcome bonus",
};
const key: operations["grantCredits"]["parameters"]["header"] = { "Idempotency-Key": "welcome-ada" };

const noCredits: operations["spendCredits"]["responses"][402]["content"]["application/problem+json"] = {
  type: "https://genledger.dev/problems/insufficient-credits",
  title: "Payment Required",
  status: 402,
  available: 3,
  requested: 5,
};

const answers: operations["gradePublicQuiz"]["requestBody"]["content"]["application/json"] = { answers: [0, 2] };

function displayName(user: User): string {
  return user.displayName ?? user.email;
}

function describe(problem: Problem): string {
  return `${problem.status} ${problem.title}: ${problem.detail ?? ""}`;
}

export const checked = [displayName(created), describe(noCredits), grant, key, answers];
