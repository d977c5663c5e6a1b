package dev.genledger.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.genledger.contract.client.ApiClient;
import dev.genledger.contract.client.ApiException;
import dev.genledger.contract.client.ApiResponse;
import dev.genledger.contract.client.api.CreditsApi;
import dev.genledger.contract.client.api.JobsApi;
import dev.genledger.contract.client.api.PublicApi;
import dev.genledger.contract.client.api.QuizzesApi;
import dev.genledger.contract.client.api.UsersApi;
import dev.genledger.contract.client.model.Answers;
import dev.genledger.contract.client.model.CreditChange;
import dev.genledger.contract.client.model.CreditGrant;
import dev.genledger.contract.client.model.Grant;
import dev.genledger.contract.client.model.Graded;
import dev.genledger.contract.client.model.Job;
import dev.genledger.contract.client.model.JobCreate;
import dev.genledger.contract.client.model.JobStatus;
import dev.genledger.contract.client.model.JobSucceed;
import dev.genledger.contract.client.model.LedgerEntry;
import dev.genledger.contract.client.model.Problem;
import dev.genledger.contract.client.model.PublicQuiz;
import dev.genledger.contract.client.model.Question;
import dev.genledger.contract.client.model.Quiz;
import dev.genledger.contract.client.model.QuizCreate;
import dev.genledger.contract.client.model.User;
import dev.genledger.contract.client.model.UserCreate;
import dev.genledger.support.Api;
import dev.genledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * The main flows through the Java client openapi-generator makes from the document in the build
 * (target/generated-test-sources/openapi-client), as an app team would use it: typed models,
 * the idempotency key as a parameter, the replay header, and a 402 read as a typed Problem.
 */
@QuarkusTest
class ContractClientTests {

    private static ApiClient client(String token) {
        ApiClient client = new ApiClient(HttpClient.newBuilder(), ApiClient.createDefaultObjectMapper(),
                "http://localhost:" + RestAssured.port);
        if (token != null) {
            client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));
        }
        return client;
    }

    @Test
    void anAppBackendRunsTheMainFlowsThroughTheGeneratedClient() throws Exception {
        ApiClient service = client(Tokens.service());
        UsersApi users = new UsersApi(service);
        CreditsApi credits = new CreditsApi(service);
        JobsApi jobs = new JobsApi(service);
        QuizzesApi quizzes = new QuizzesApi(service);

        String email = "client-" + UUID.randomUUID() + "@example.com";
        ApiResponse<User> created = users.createUserWithHttpInfo(new UserCreate().email(email));
        assertEquals(201, created.getStatusCode());
        User user = created.getData();
        assertNull(user.getDisplayName(), "displayName is nullable and absent");
        assertTrue(created.getHeaders().get("location").get(0).endsWith("/v1/users/" + user.getId()));
        assertEquals(user.getId(), users.findUser(email, null, null).getId());

        String key = "welcome-" + UUID.randomUUID();
        CreditGrant welcome = new CreditGrant().amount(100L).reason("welcome bonus");
        Grant granted = credits.grantCredits(user.getId(), welcome, key);
        assertEquals(100L, granted.getBalanceAfter());
        assertEquals(100L, granted.getLot().getRemaining());
        ApiResponse<Grant> replay = credits.grantCreditsWithHttpInfo(user.getId(), welcome, key);
        assertEquals(List.of("true"), replay.getHeaders().get("idempotent-replayed"));
        assertEquals(granted.getId(), replay.getData().getId());
        assertEquals(granted.getLot().getId(), replay.getData().getLot().getId());
        assertEquals(100L, Api.balance(user.getId()), "the replay granted nothing");

        ApiException refused = assertThrows(ApiException.class,
                () -> credits.spendCredits(user.getId(), new CreditChange().amount(1000L).reason("too much"), null));
        assertEquals(402, refused.getCode());
        Problem problem = service.getObjectMapper().readValue(refused.getResponseBody(), Problem.class);
        assertEquals(URI.create("https://genledger.dev/problems/insufficient-credits"), problem.getType());
        assertEquals(100L, problem.getAvailable());
        assertEquals(1000L, problem.getRequested());
        assertNotNull(problem.getRequestId());

        LedgerEntry spent = credits.spendCredits(user.getId(), new CreditChange().amount(30L).reason("quiz"), null);
        assertEquals(-30L, spent.getAmount());
        assertEquals(70L, credits.getBalance(user.getId(), null, null).getAvailable());
        assertEquals(70L, credits.getBalance(user.getId(), null, null).getLots().get(0).getRemaining());
        assertEquals(1, credits.listCreditLots(user.getId(), null, null).getItems().size());

        Job job = jobs.createJob(user.getId(), new JobCreate().jobKey("client-" + UUID.randomUUID()).kind("quiz").cost(5L));
        assertEquals(JobStatus.PENDING, job.getStatus());
        assertEquals(65L, credits.getBalance(user.getId(), null, null).getAvailable(), "the job holds its cost");
        assertEquals(JobStatus.RUNNING, jobs.startJob(job.getId()).getStatus());
        Job done = jobs.succeedJob(job.getId(), new JobSucceed().resultRef("s3://results/client.json"));
        assertEquals(JobStatus.SUCCEEDED, done.getStatus());
        assertEquals(65L, Api.balance(user.getId()), "success captured the hold");
        var history = jobs.getJob(job.getId(), null).getTransitions();
        assertEquals(JobStatus.SUCCEEDED, history.get(history.size() - 1).getTo());
        assertEquals(1, jobs.listJobs(user.getId(), JobStatus.SUCCEEDED, null, null, null).getItems().size());

        Quiz quiz = quizzes.createQuiz(user.getId(), new QuizCreate().title("Capitals").sourceJobId(job.getId())
                .questions(List.of(new Question().question("Capital of France?").options(List.of("Paris", "Lyon")).answer(0))));
        assertNull(quiz.getSlug());
        String slug = quizzes.publishQuiz(quiz.getId()).getSlug();
        assertNotNull(slug);

        PublicApi anybody = new PublicApi(client(null));
        PublicQuiz published = anybody.getPublicQuiz(slug);
        assertEquals("Capitals", published.getTitle());
        assertEquals(List.of("Paris", "Lyon"), published.getQuestions().get(0).getOptions());
        Graded graded = anybody.gradePublicQuiz(slug, new Answers().answers(List.of(0)));
        assertEquals(1, graded.getScore());
    }
}
