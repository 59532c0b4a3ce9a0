package dev.virft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.util.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every failure a user can cause is one line naming the thing and what was expected, exit 2, found
 * before any compute; only a bug prints a trace, after a one-line summary.
 */
class ErrorPathTest {
  @TempDir Path tmp;

  static final String IMAGE = "src/test/resources/golden/qwen2_vl/image0.png";
  static final String DATA = "src/test/resources/data/virft_save_to_disk";

  static void assertUserError(DataCommandTest.Run r, String... mentions) {
    assertEquals(2, r.code(), r.err());
    List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
    assertEquals(1, lines.size(), "one line, no trace: " + r.err());
    assertTrue(lines.get(0).startsWith("error: "), lines.get(0));
    for (String m : mentions) {
      assertTrue(lines.get(0).contains(m), "'" + m + "' in: " + lines.get(0));
    }
    assertTrue(lines.get(0).contains("expected") || lines.get(0).contains("not writable")
        || lines.get(0).contains("cannot create"), lines.get(0));
  }

  Path checkpointWith(String field, long value) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(field + "-" + value));
    ObjectNode cfg = (ObjectNode) Json.read(Path.of("src/test/resources/golden/qwen2_vl/checkpoint/config.json"));
    cfg.put(field, value);
    Files.writeString(dir.resolve("config.json"), cfg.toPrettyString());
    Files.copy(Path.of("src/test/resources/golden/qwen2_vl/checkpoint/model.safetensors"), dir.resolve("model.safetensors"));
    return dir;
  }

  @Test
  void configsOutOfRangeAreOneLineBeforeAnythingIsAllocated() throws Exception {
    for (Object[] c : new Object[][] {{"num_hidden_layers", (long) Integer.MAX_VALUE}, {"num_attention_heads", 0L}}) {
      Path ckpt = checkpointWith((String) c[0], (Long) c[1]);
      DataCommandTest.Run r = DataCommandTest.run(
          "infer", "--model", ckpt.toString(), "--processor", "src/test/resources/tokenizer", "--image", IMAGE,
          "--prompt", "hi", "--max_new_tokens", "1");
      // A wall-clock bound here failed once when the whole box stalled; the one-line error that names
      // the file and the field (a 2^31-layer model would otherwise fail in allocation) is the check.
      assertUserError(r, ckpt.resolve("config.json").toString(), (String) c[0]);
    }
  }

  List<String> sft(Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of("sft", "--model_name_or_path", "src/test/resources/golden/qwen2_vl/checkpoint",
        "--dataset_name", DATA, "--output_dir", out.toString(), "--max_steps", "1", "--no-progress"));
    a.addAll(List.of(extra));
    return a;
  }

  @Test
  void trainingOptionsAndOutputDirAreCheckedFirst() throws Exception {
    assertUserError(DataCommandTest.run(sft(tmp.resolve("o1"), "--save_steps", "0").toArray(String[]::new)),
        "--save_steps", "at least 1");
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    assertUserError(DataCommandTest.run(sft(file).toArray(String[]::new)), "--output_dir", file.toString(), "is a file");
    List<String> train = sft(file);
    train.set(0, "train");
    train.addAll(List.of("--task", "detection"));
    assertUserError(DataCommandTest.run(train.toArray(String[]::new)), "--output_dir", "is a file");
    assertUserError(DataCommandTest.run(sft(tmp.resolve("o2"), "--per_device_train_batch_size", "0")
        .toArray(String[]::new)), "--per_device_train_batch_size");
  }

  @Test
  void aCorruptImageStopsTrainingBeforeStep1() throws Exception {
    Path ds = Files.createDirectories(tmp.resolve("ds"));
    Files.copy(Path.of(IMAGE), ds.resolve("a.png"));
    Files.write(ds.resolve("b.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
    Files.writeString(ds.resolve("train.jsonl"), "{\"image_path\": \"a.png\", \"problem\": \"q\", \"solution\": \"s\"}\n"
        + "{\"image_path\": \"b.png\", \"problem\": \"q\", \"solution\": \"s\"}\n");
    Path out = tmp.resolve("run");
    List<String> a = sft(out);
    a.set(a.indexOf(DATA), ds.resolve("train.jsonl").toString());
    assertUserError(DataCommandTest.run(a.toArray(String[]::new)), "train.jsonl row 1", "--skip_bad_rows");
    assertTrue(!Files.exists(out.resolve("checkpoint-1")));
  }

  @Test
  void inferOutputThatCannotBeWrittenIsRefusedBeforeTheModelRuns() throws Exception {
    Path file = Files.writeString(tmp.resolve("plain"), "x");
    assertUserError(DataCommandTest.run("infer", "--model", tmp.resolve("no-such-model").toString(), "--image", IMAGE,
        "--prompt", "hi", "--output", file.resolve("out.png").toString()), "--output", "is a file");
    // Unwritable even for root: nothing can be created under /proc.
    assertUserError(DataCommandTest.run("infer", "--model", tmp.resolve("no-such-model").toString(), "--image", IMAGE,
        "--prompt", "hi", "--output", "/proc/virft-no-such-dir/out.png"), "--output", "/proc/virft-no-such-dir");
  }

  @Test
  void scoreOutputThatIsADirectory() throws Exception {
    Path in = Files.writeString(tmp.resolve("in.jsonl"), "{\"completion\": \"<answer>cat</answer>\", \"solution\": \"cat\"}\n");
    Path dir = Files.createDirectories(tmp.resolve("outdir"));
    assertUserError(DataCommandTest.run("score", "--reward_funcs", "format", "--input", in.toString(),
        "--output", dir.toString()), "--output", dir.toString(), "is a directory");
  }

  @Test
  void benchGrpoWithASmallVocabularyRuns() {
    // 600 tokens, vision ids 590-594: prompt ids must come from below them.
    DataCommandTest.Run r = DataCommandTest.run("bench", "grpo", "--model",
        "src/test/resources/golden/qwen2_vl/checkpoint/config.json", "--num_generations", "2",
        "--max_new_tokens", "2", "--image", "56", "--prompt_tokens", "4", "--steps", "1");
    assertEquals(0, r.code(), r.err());
    assertUserError(DataCommandTest.run("bench", "grpo", "--model", "tiny", "--image", "30"), "--image", "28");
  }

  @Test
  void aModelLargerThanTheMachineIsRefusedBeforeAllocating() throws Exception {
    ObjectNode cfg = (ObjectNode) Json.read(Path.of("src/test/resources/golden/qwen2_vl/checkpoint/config.json"));
    cfg.put("num_hidden_layers", 1024).put("intermediate_size", 1 << 19).put("max_window_layers", 1024);
    Path big = Files.writeString(tmp.resolve("big.json"), cfg.toPrettyString());
    assertUserError(DataCommandTest.run("bench", "grpo", "--model", big.toString(), "--steps", "1"),
        "needs", "GB", "expected a smaller model");
  }

  @Test
  void outputPlacesOfOtherVerbsAreCheckedFirst() throws Exception {
    Path file = Files.writeString(tmp.resolve("f"), "x");
    assertUserError(DataCommandTest.run("data", "synthetic", "--out", file.toString()), "--out", "is a file");
    assertUserError(DataCommandTest.run("lora", "merge", "--adapter", tmp.toString(), "--output", file.toString()),
        "--output", "is a file");
  }

  @Test
  void aMistypedOptionIsOneLinePointingAtHelp() {
    DataCommandTest.Run r = DataCommandTest.run(sft(tmp.resolve("o"), "--save_stepz", "3").toArray(String[]::new));
    assertEquals(2, r.code(), r.err());
    List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
    assertEquals(1, lines.size(), r.err());
    assertTrue(lines.get(0).contains("--save_stepz") && lines.get(0).contains("virft sft --help"), lines.get(0));
  }

  @Test
  void verbsWithSubVerbsHaveHelp() {
    DataCommandTest.Run r = DataCommandTest.run("data", "--help");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("inspect") && r.out().contains("synthetic"), r.out());
    assertEquals(0, DataCommandTest.run("bench", "--help").code());
    assertEquals(0, DataCommandTest.run("data", "inspect", "--help").code());
  }

  @Test
  void aBugPrintsASummaryLineThenTheTrace() {
    StringWriter buf = new StringWriter();
    int code = ErrorReport.report(new IllegalStateException("boom"), new PrintWriter(buf));
    assertEquals(Main.INTERNAL_ERROR, code);
    List<String> lines = buf.toString().lines().toList();
    assertTrue(lines.get(0).startsWith("error: internal error") && lines.get(0).contains("boom"), lines.get(0));
    assertTrue(lines.size() > 2 && lines.get(2).trim().startsWith("at "), buf.toString());
  }
}
