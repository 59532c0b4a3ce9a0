package dev.virft.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTokenizerBuilderTest {
  @TempDir static Path dir;
  static DemoTokenizerBuilder.TokenIds ids;
  static HuggingFaceTokenizer tok;

  @BeforeAll
  static void build() throws Exception {
    System.setProperty("OPT_OUT_TRACKING", "true");
    System.setProperty("ai.djl.offline", "true");
    ids = DemoAssets.writeTokenizer(dir);
    tok =
        HuggingFaceTokenizer.builder()
            .optTokenizerPath(dir.resolve("tokenizer.json"))
            .optAddSpecialTokens(false)
            .optTruncation(false)
            .build();
  }

  private static long[] encode(String text) {
    Encoding e = tok.encode(text, false, false);
    return e.getIds();
  }

  @Test
  void detectionBudgetHoldsEveryTargetAnswerWithItsEndToken() {
    try {
      for (String instances : List.of("1", "2", "1-3")) {
        DemoData.SceneSpec spec = DemoData.SceneSpec.parse(instances, "0-1", "any", "--target");
        DemoData.setTargetScene(spec);
        int longest = 0;
        List<dev.virft.data.Sample> rows = DemoData.validation(DemoData.Kind.DETECTION, 40, DemoData.categories());
        for (dev.virft.data.Sample r : DemoData.withRandomConfidences(rows, 7)) {
          longest = Math.max(longest, encode(DemoData.withReasoning(r).solution()).length + 1);
        }
        assertTrue(longest <= DemoData.detectionMaxTokens(spec),
            instances + " instances: an answer takes " + longest + " tokens, the budget is " + DemoData.detectionMaxTokens(spec));
      }
    } finally {
      DemoData.setTargetScene(DemoData.SceneSpec.ONE_AMONG_DISTRACTORS);
    }
    assertEquals(48, DemoData.detectionMaxTokens(DemoData.SceneSpec.ONE_AMONG_DISTRACTORS));
  }

  @Test
  void demoTextsRoundTripAndAreShort() {
    String answer =
        "<think> There is one red circle in the image. </think> <answer>[{'Position': [64, 0, 950,"
            + " 411], 'Confidence': 1}]</answer>";
    long[] a = encode(answer);
    assertEquals(answer, tok.decode(a, true));
    // a one-box answer with its reasoning is ~40 tokens with the learned merges (it is 119 bytes)
    assertTrue(a.length <= 45, "one-box answer took " + a.length + " tokens");
    String prompt = DemoCorpus.detectionPrompt("blue triangle");
    long[] p = encode(prompt);
    assertEquals(prompt, tok.decode(p, true));
    assertTrue(p.length <= 135, "prompt took " + p.length + " tokens");
    // text outside the corpus still round-trips through the byte alphabet
    String odd = "Ünïcödé — 日本語 😀 tabs\tand  double  spaces\n\nnew lines 0123456789";
    assertEquals(odd, tok.decode(encode(odd), true));
  }

  @Test
  void specialAndTagTokensAreSingleIds() {
    String chat =
        "<|im_start|>user\n<|vision_start|><|image_pad|><|image_pad|><|vision_end|>hi<|im_end|>\n";
    long[] c = encode(chat);
    assertEquals(ids.imStart(), c[0]);
    assertEquals(ids.visionStart(), c[3]);
    assertEquals(ids.imagePad(), c[4]);
    assertEquals(ids.imagePad(), c[5]);
    assertEquals(ids.visionEnd(), c[6]);
    assertEquals(chat, tok.decode(c, false));
    // special tokens are dropped when skipped, the answer tags are kept (the reward needs them)
    assertEquals("user\nhi\n", tok.decode(c, true));
    long[] t = encode("<think></think><answer></answer>");
    assertEquals(4, t.length);
    assertEquals("<think></think><answer></answer>", tok.decode(t, true));
    assertTrue(ids.vocabSize() > 300 && ids.vocabSize() < 2048, "vocab " + ids.vocabSize());
  }

  @Test
  void outputIsDeterministicAndCarriesQwenChatTemplate(@TempDir Path other) throws Exception {
    DemoAssets.writeTokenizer(other);
    assertArrayEquals(
        Files.readAllBytes(dir.resolve("tokenizer.json")),
        Files.readAllBytes(other.resolve("tokenizer.json")));
    JsonNode cfg = Json.read(dir.resolve("tokenizer_config.json"));
    assertEquals("<|im_end|>", cfg.get("eos_token").asText());
    JsonNode added = Json.read(dir.resolve("tokenizer.json")).get("added_tokens");
    assertEquals(
        List.copyOf(DemoTokenizerBuilder.QWEN_SPECIAL_TOKENS),
        java.util.stream.StreamSupport.stream(added.spliterator(), false)
            .filter(n -> n.get("special").asBoolean())
            .map(n -> n.get("content").asText())
            .toList());
    Path realConfig =
        Path.of(System.getProperty("virft.shared", "../shared"))
            .resolve("fixtures/tokenizer/tokenizer_config.json");
    Assumptions.assumeTrue(
        Files.isRegularFile(realConfig), "no " + realConfig + ": chat template not compared");
    String real = Json.read(realConfig).get("chat_template").asText();
    assertEquals(real, cfg.get("chat_template").asText());
  }
}
