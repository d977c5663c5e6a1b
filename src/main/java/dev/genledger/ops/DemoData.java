package dev.genledger.ops;

import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.genledger.api.Caller;
import dev.genledger.api.Who;
import dev.genledger.credit.CreditCommand;
import dev.genledger.credit.CreditService;
import dev.genledger.credit.LedgerKind;
import dev.genledger.job.JobRequests;
import dev.genledger.job.JobService;
import dev.genledger.job.JobStatus;
import dev.genledger.job.JobViews;
import dev.genledger.quiz.QuizRequests;
import dev.genledger.quiz.QuizService;
import dev.genledger.quiz.QuizViews;
import dev.genledger.user.UserRequests;
import dev.genledger.user.UserService;
import dev.genledger.user.UserView;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;

/**
 * Something to look at in a fresh local run: three users with credits, a finished job whose quiz is
 * published, a pending job holding credits. Written through the services (ledger rows, holds and
 * audit as for any caller), once: a restart finds the users and leaves them as they are.
 */
@ApplicationScoped
public class DemoData {

    private static final Logger LOG = Logger.getLogger(DemoData.class);
    static final String ADA = "ada@demo.genledger.dev";
    private static final Who WHO = Who.system("demo-data");

    @Inject
    DemoConfig config;

    @Inject
    UserService users;

    @Inject
    CreditService credits;

    @Inject
    JobService jobs;

    @Inject
    QuizService quizzes;

    void seed(@Observes StartupEvent started) throws SQLException {
        if (!config.enabled()) {
            return;
        }
        if (ConfigUtils.isProfileActive("prod")) {
            LOG.warn("genledger.demo.enabled is ignored in prod");
            return;
        }
        if (users.findByEmail(ADA).isPresent()) {
            LOG.info("demo data: already there (ada, grace, alan @demo.genledger.dev)");
            return;
        }
        UserView ada = user(ADA, "Ada Lovelace", 500);
        UserView grace = user("grace@demo.genledger.dev", "Grace Hopper", 200);
        UserView alan = user("alan@demo.genledger.dev", "Alan Turing", 50);

        JobViews.Job done = job(ada, "demo-capitals", 20);
        jobs.transition(done.id(), JobStatus.RUNNING, JobService.Outcome.NONE, id -> true, WHO);
        jobs.transition(done.id(), JobStatus.SUCCEEDED,
                JobService.Outcome.succeeded("demo://quiz/capitals", null), id -> true, WHO);
        QuizViews.Quiz quiz = quizzes.create(ada.id(), new QuizRequests.Create("European capitals", List.of(
                new QuizRequests.Question("Capital of France?", List.of("Paris", "Lyon", "Nice"), 0),
                new QuizRequests.Question("Capital of Italy?", List.of("Milan", "Rome"), 1)), done.id()), WHO)
                .orElseThrow();
        QuizViews.Quiz published = quizzes.publish(quiz.id(), true, id -> true, WHO).orElseThrow();
        job(grace, "demo-pending", 10);

        LOG.infof("demo data: users %s (ada, 500 credits), %s (grace, 200, a pending job), %s (alan, 50);"
                + " ada's published quiz: /v1/public/quizzes/%s", ada.id(), grace.id(), alan.id(), published.slug());
    }

    private UserView user(String email, String name, long credit) throws SQLException {
        UserView user = users.create(UUID.randomUUID(), new UserRequests.Create(email, null, name), WHO);
        credits.change(new CreditCommand(user.id(), LedgerKind.GRANT, credit, "demo data", null, "demo-grant", WHO.actor()));
        return user;
    }

    private JobViews.Job job(UserView user, String key, long cost) throws SQLException {
        return jobs.create(user.id(), new JobRequests.Create(key, "quiz", cost), Caller.ADMIN, WHO).orElseThrow().job();
    }
}
