package dev.virft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationConfigTest {
  @Test
  void readsGenerationConfigJson(@TempDir Path dir) throws Exception {
    Files.copy(Paths.get("src/test/resources/golden/qwen2_vl/checkpoint/config.json"), dir.resolve("config.json"));
    Files.writeString(dir.resolve("generation_config.json"), """
        {"bos_token_id": 151643, "do_sample": true, "eos_token_id": [151645, 151643],
         "pad_token_id": 151643, "temperature": 0.01, "top_k": 1, "top_p": 0.001}
        """);
    GenerationConfig g = GenerationConfig.fromCheckpoint(dir);
    assertTrue(g.doSample());
    assertEquals(0.01, g.temperature());
    assertEquals(1, g.topK());
    assertEquals(0.001, g.topP());
    assertArrayEquals(new long[] {151645, 151643}, g.stopTokenIds());
    assertEquals(151643, g.padTokenId());
  }

  @Test
  void withoutTheFileStopsAtTheConfigsEos(@TempDir Path dir) throws Exception {
    Files.copy(Paths.get("src/test/resources/golden/qwen2_vl/checkpoint/config.json"), dir.resolve("config.json"));
    GenerationConfig g = GenerationConfig.fromCheckpoint(dir);
    assertFalse(g.doSample());
    assertArrayEquals(new long[] {596}, g.stopTokenIds());
  }

  @Test
  void badValuesNameTheField(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("generation_config.json"), "{\"temperature\": \"hot\"}");
    VirftException e = assertThrows(VirftException.class, () -> GenerationConfig.fromCheckpoint(dir));
    assertTrue(e.getMessage().contains("generation_config.json") && e.getMessage().contains("temperature"));
    assertThrows(VirftException.class, () -> GenerationConfig.sampling(4, 0.0, 0, 1.0, null, 0, 1, 0));
    assertThrows(VirftException.class, () -> GenerationConfig.greedy(4, null, 0).withNumReturnSequences(0));
  }
}
