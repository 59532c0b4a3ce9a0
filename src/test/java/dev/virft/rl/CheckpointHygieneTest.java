package dev.virft.rl;

import dev.virft.train.Checkpoints;
import dev.virft.train.TrainerState;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.tensor.Safetensors;
import dev.virft.util.VirftException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leftover temporaries, unreadable newest checkpoints, trainer kinds, saving before a failure. */
class CheckpointHygieneTest {
  @TempDir Path tmp;

  static Path fakeCheckpoint(Path out, long step, String trainer) throws Exception {
    Path dir = Files.createDirectories(out.resolve("checkpoint-" + step));
    TrainerState st = new TrainerState();
    st.globalStep = step;
    st.maxSteps = 10;
    st.trainer = trainer;
    Files.writeString(dir.resolve(TrainerState.FILE), st.toJson().toPrettyString());
    Map<String, Tensor> t = Map.of("w", torch.ones(2, 2));
    Safetensors.write(dir.resolve("model.safetensors"), t, Map.of("format", "pt"));
    Safetensors.write(dir.resolve(Checkpoints.OPTIMIZER_FILE), t, Map.of("optimizer", "adamw"));
    return dir;
  }

  @Test
  void leftoverTemporariesAreRemovedAndAnInterruptedReplaceIsPutBack() throws Exception {
    Path out = tmp.resolve("out");
    Path kept = fakeCheckpoint(out, 2, "grpo");
    Path halfSaved = Files.createDirectories(out.resolve(".checkpoint-4.1234567"));
    Files.write(halfSaved.resolve("model.safetensors"), new byte[1000]);
    Path tmpFile = Files.writeString(out.resolve(".metrics.jsonl.99887766.tmp"), "{}");
    // A crash between "checkpoint-6 -> .checkpoint-6.old" and "new -> checkpoint-6".
    Path old = Files.move(fakeCheckpoint(out, 6, "grpo"), out.resolve(".checkpoint-6.old"));
    Path userFile = Files.writeString(out.resolve("notes.txt"), "mine");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int removed = Checkpoints.cleanTemporaries(out, new PrintStream(log, true, StandardCharsets.UTF_8));
    assertEquals(2, removed);
    assertFalse(Files.exists(halfSaved));
    assertFalse(Files.exists(tmpFile));
    assertFalse(Files.exists(old));
    assertTrue(Files.isRegularFile(out.resolve("checkpoint-6").resolve(TrainerState.FILE)));
    assertTrue(Files.isDirectory(kept) && Files.exists(userFile));
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("removed 2 temporaries"), log.toString());
  }

  @Test
  void latestFallsBackToTheNewestReadableCheckpointAndSaysSo() throws Exception {
    Path out = tmp.resolve("out");
    fakeCheckpoint(out, 2, "grpo");
    Path c4 = fakeCheckpoint(out, 4, "grpo");
    // Truncated optimizer state in the newest one (a copy cut short, a full disk).
    Path opt = c4.resolve(Checkpoints.OPTIMIZER_FILE);
    byte[] b = Files.readAllBytes(opt);
    Files.write(opt, java.util.Arrays.copyOf(b, b.length - 5));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Path p = Checkpoints.resolve("latest", out, "grpo", new PrintStream(log, true, StandardCharsets.UTF_8));
    assertEquals(out.resolve("checkpoint-2"), p);
    String said = log.toString(StandardCharsets.UTF_8);
    assertTrue(said.contains("passing over " + c4) && said.contains("truncated"), said);
    assertTrue(said.contains("resuming from " + out.resolve("checkpoint-2")), said);

    // Named explicitly, the unreadable one is an error naming it.
    VirftException e = assertThrows(VirftException.class,
        () -> Checkpoints.resolve(c4.toString(), out, "grpo", System.err));
    assertTrue(e.getMessage().contains(opt.toString()), e.getMessage());
  }

  @Test
  void aCheckpointOfTheOtherTrainerIsRefused() throws Exception {
    Path out = tmp.resolve("out");
    Path c = fakeCheckpoint(out, 3, "grpo");
    VirftException e = assertThrows(VirftException.class,
        () -> Checkpoints.resolve(c.toString(), out, "sft", System.err));
    assertTrue(e.getMessage().contains("'virft train'") && e.getMessage().contains("expected a checkpoint of 'virft sft'"),
        e.getMessage());
    assertThrows(VirftException.class, () -> Checkpoints.resolve("latest", out, "sft", System.err));
  }

  @Test
  void optimizerStateIsByteIdenticalAcrossSaves() throws Exception {
    // The metadata map's order must not leak into the file.
    Map<String, String> a = new LinkedHashMap<>();
    a.put("step", "3");
    a.put("optimizer", "adamw");
    Map<String, String> b = new LinkedHashMap<>();
    b.put("optimizer", "adamw");
    b.put("step", "3");
    Map<String, Tensor> t = Map.of("w", torch.ones(2));
    Safetensors.write(tmp.resolve("a.safetensors"), t, a);
    Safetensors.write(tmp.resolve("b.safetensors"), t, b);
    assertArrayEquals(Files.readAllBytes(tmp.resolve("a.safetensors")), Files.readAllBytes(tmp.resolve("b.safetensors")));
  }

  @Test
  void aFailingStepSavesTheLastCompletedStepFirst() throws Exception {
    GrpoOptions o = GrpoTrainerTest.options(tmp.resolve("run"));
    o.maxSteps = 4;
    o.saveSteps = 100; // no regular save before the end
    AtomicInteger encodes = new AtomicInteger();
    ToyTask failingAtStep3 = new ToyTask() {
      @Override
      public long[] encode(Integer example) {
        // two steps of two prompts, each encoded for generation and again for the policy pass
        if (encodes.incrementAndGet() > 2 * 2 * o.gradientAccumulationSteps) {
          throw new VirftException("row " + example + ": a bad row met at step 3");
        }
        return super.encode(example);
      }
    };
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    VirftException e = assertThrows(VirftException.class, () -> GrpoTrainerTest.trainer(o, ToyPolicy.random(5),
        failingAtStep3, new PrintStream(log, true, StandardCharsets.UTF_8)).train(null));
    assertTrue(e.getMessage().contains("step 3"), e.getMessage());
    Path c2 = o.outputDir.resolve("checkpoint-2");
    assertEquals(2, TrainerState.read(c2.resolve(TrainerState.FILE)).globalStep);
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("saving checkpoint-2"), log.toString());
    // and it resumes
    assertEquals(c2, Checkpoints.resolve("latest", o.outputDir, "grpo", System.err));
  }
}
