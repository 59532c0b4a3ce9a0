package dev.virft.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tokenizer ids, decoding and rendered chat prompts vs tokenizer_golden.json (HF tokenizers + transformers). */
class TextSideGoldenTest {
  static Path dir;
  static JsonNode golden;
  static QwenTokenizer tok;

  @BeforeAll
  static void load() throws Exception {
    dir = SharedTokenizer.dir();
    golden = Json.read(dir.resolve("tokenizer_golden.json"));
    long t0 = System.nanoTime();
    tok = SharedTokenizer.get();
    System.out.printf("tokenizer loaded in %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  static long[] ids(JsonNode arr) {
    long[] out = new long[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = arr.get(i).asLong();
    }
    return out;
  }

  @Test
  void encodeMatchesRustTokenizers() {
    int n = 0;
    for (JsonNode c : golden.get("encode")) {
      assertArrayEquals(ids(c.get("ids")), tok.encode(c.get("text").asText()), c.get("text").asText());
      n++;
    }
    assertTrue(n > 0);
  }

  @Test
  void longTextIsNotTruncated() {
    String text = "word" + " word".repeat(2999);
    assertEquals(3000, tok.encode(text).length);
  }

  @Test
  void decodeSkippingSpecialTokensMatches() {
    JsonNode enc = golden.get("encode");
    JsonNode dec = golden.get("decode_skip_special");
    assertEquals(enc.size(), dec.size());
    for (int i = 0; i < enc.size(); i++) {
      assertEquals(dec.get(i).asText(), tok.decode(ids(enc.get(i).get("ids")), true));
    }
  }

  @Test
  void chatTemplateRendersExactlyAsTransformers() {
    ChatTemplate tpl = ChatTemplate.fromCheckpoint(dir);
    int n = 0;
    for (JsonNode c : golden.get("chat")) {
      String rendered = tpl.render(c.get("messages"), true);
      assertEquals(c.get("rendered").asText(), rendered);
      assertArrayEquals(ids(c.get("ids")), tok.encode(rendered));
      n++;
    }
    assertTrue(n > 0);
  }

  @Test
  void specialTokenIds() {
    // The ids are those of Qwen2-VL's added tokens in tokenizer.json (151643-151656).
    assertEquals(151643, tok.specialTokenId(QwenTokenizer.END_OF_TEXT).getAsLong());
    assertEquals(151645, tok.specialTokenId(QwenTokenizer.IM_END).getAsLong());
    assertEquals(151652, tok.visionStartId());
    assertEquals(151653, tok.visionEndId());
    assertEquals(151655, tok.imagePadId());
    assertEquals(151645, tok.eosId());
    assertEquals(151643, tok.padId());
    assertArrayEquals(new long[] {151645}, tok.stopIds());
    assertArrayEquals(new long[] {tok.imagePadId()}, tok.encode(QwenTokenizer.IMAGE_PAD));
  }
}
