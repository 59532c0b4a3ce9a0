package dev.virft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A NaN confidence gives a NaN reward; the output line stays strict JSON (null), not "NaN" nor NaN. */
class ScoreNonFiniteTest {
  @TempDir Path tmp;

  @Test
  void nanRewardsAreNullInStrictJson() throws Exception {
    Path in = Files.writeString(tmp.resolve("in.jsonl"),
        "{\"completion\": \"<answer>[{\\\"Position\\\": [1, 2, 30, 40], \\\"Confidence\\\": NaN}]</answer>\","
            + " \"solution\": \"<answer>[{\\\"Position\\\": [1, 2, 30, 40], \\\"Confidence\\\": 1}]</answer>\"}\n");
    DataCommandTest.Run r = DataCommandTest.run("score", "--reward_funcs", "detection", "--input", in.toString());
    assertEquals(0, r.code(), r.err());
    // strict parser: bare NaN would be refused
    ObjectMapper strict = new ObjectMapper();
    strict.configure(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature(), false);
    JsonNode line = strict.readTree(r.out().lines().findFirst().orElseThrow());
    assertTrue(line.at("/rewards/accuracy_confidence").isNull(), line.toString());
    assertTrue(line.get("total").isNull(), line.toString());
    assertEquals(1.0, line.at("/rewards/accuracy_iou").asDouble());
  }

  @Test
  void aTruncatedParquetNamesTheFile() throws Exception {
    Path f = Files.write(tmp.resolve("train.parquet"), new byte[] {'P', 'A', 'R', '1', 0, 0});
    DataCommandTest.Run r = DataCommandTest.run("data", "inspect", f.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(f.toString()) && r.err().contains("truncated or not parquet"), r.err());
    assertTrue(!r.err().contains("LocalInputFile@"), r.err());
  }
}
