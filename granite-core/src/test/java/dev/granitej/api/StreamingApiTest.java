package dev.granitej.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The reactive stream of a generation, and how a finished turn reports tool calls. */
class StreamingApiTest {

    static Granite granite;

    @BeforeAll
    static void load() {
        granite = Granite.load(GenerationTest.demoDir());
    }

    @AfterAll
    static void close() {
        granite.close();
    }

    @Test
    void publisherDeliversTheSameTextAsTheResultHonouringDemand() throws Exception {
        try (Session s = granite.newSession()) {
            Generation g = s.start(GenerationRequest.builder(Prompt.text("import sys\n")).maxTokens(24)
                    .stopTokenIds(Set.of()).build());
            List<String> pieces = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            g.publisher().subscribe(new Flow.Subscriber<>() {
                private Flow.Subscription subscription;

                @Override
                public void onSubscribe(Flow.Subscription sub) {
                    subscription = sub;
                    sub.request(1);
                }

                @Override
                public void onNext(String item) {
                    pieces.add(item);
                    subscription.request(1);
                }

                @Override
                public void onError(Throwable t) {
                    done.countDown();
                }

                @Override
                public void onComplete() {
                    done.countDown();
                }
            });
            assertTrue(done.await(2, TimeUnit.MINUTES));
            assertEquals(g.await().text(), String.join("", pieces));
        }
    }

    @Test
    void cancellingTheSubscriptionCancelsTheGeneration() throws Exception {
        try (Session s = granite.newSession()) {
            Generation g = s.start(GenerationRequest.builder(Prompt.text("class B:\n")).maxTokens(100_000)
                    .stopTokenIds(Set.of()).build());
            g.publisher().subscribe(new Flow.Subscriber<>() {
                private Flow.Subscription subscription;
                private int seen;

                @Override
                public void onSubscribe(Flow.Subscription sub) {
                    subscription = sub;
                    sub.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(String item) {
                    if (++seen == 3) {
                        subscription.cancel();
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onComplete() {
                }
            });
            GenerationResult r = g.result().get(2, TimeUnit.MINUTES);
            assertEquals(FinishReason.CANCELLED, r.finishReason());
        }
    }

    @Test
    void toolCallsInAGeneratedTurnAreParsedAndMalformedOnesReported() {
        Usage usage = new Usage(3, 0, 5, Duration.ZERO, Duration.ZERO);
        String text = "Let me check.<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n"
                + "</tool_call><tool_call>{\"name\": \"broken\", \"arguments\": {</tool_call>";
        GenerationResult r = Session.result(text, new int[] {1, 2, 3}, FinishReason.STOP_TOKEN, usage, List.of(), 1);
        assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
        assertEquals(1, r.toolCalls().size());
        assertEquals("get_weather", r.toolCalls().get(0).name());
        assertEquals("Paris", r.toolCalls().get(0).arguments().get("city").asText());
        assertEquals(1, r.toolCallErrors().size());
        GenerationResult cut = Session.result(text, new int[] {1}, FinishReason.LENGTH, usage, List.of(), 1);
        assertEquals(FinishReason.LENGTH, cut.finishReason(), "a turn cut short keeps its real finish reason");
    }
}
