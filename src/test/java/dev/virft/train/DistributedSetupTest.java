package dev.virft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.tensor.Device;
import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** torchrun's environment, launch options and DeepSpeed configs, checked before anything connects. */
class DistributedSetupTest {
  @TempDir Path tmp;

  @Test
  void noWorldSizeIsOneProcess() {
    assertSame(Distributed.SINGLE, Distributed.fromEnvironment(Map.of(), Device.CPU));
    assertSame(Distributed.SINGLE, Distributed.fromEnvironment(Map.of("WORLD_SIZE", "1", "RANK", "0"), Device.CPU));
    assertEquals(1, Distributed.SINGLE.worldSize());
    assertEquals(3.5, Distributed.SINGLE.sum(3.5));
  }

  @Test
  void badEnvironmentNamesTheVariable() {
    VirftException e = assertThrows(VirftException.class,
        () -> Distributed.fromEnvironment(Map.of("WORLD_SIZE", "2"), Device.CPU));
    assertTrue(e.getMessage().startsWith("environment variable RANK:"), e.getMessage());
    e = assertThrows(VirftException.class,
        () -> Distributed.fromEnvironment(Map.of("WORLD_SIZE", "2", "RANK", "2"), Device.CPU));
    assertTrue(e.getMessage().contains("RANK: expected 0..1, got 2"), e.getMessage());
    e = assertThrows(VirftException.class,
        () -> Distributed.fromEnvironment(Map.of("WORLD_SIZE", "two", "RANK", "0"), Device.CPU));
    assertTrue(e.getMessage().contains("WORLD_SIZE"), e.getMessage());
    e = assertThrows(VirftException.class,
        () -> Distributed.fromEnvironment(Map.of("WORLD_SIZE", "2", "RANK", "0", "MASTER_PORT", "70000"), Device.CPU));
    assertTrue(e.getMessage().contains("MASTER_PORT"), e.getMessage());
  }

  @Test
  void aCudaRankThatWouldShareGpuZeroIsRefused() {
    VirftException e = assertThrows(VirftException.class, () -> Distributed.fromEnvironment(
        Map.of("WORLD_SIZE", "8", "RANK", "3", "LOCAL_RANK", "3", "CUDA_VISIBLE_DEVICES", "0,1,2,3"), Device.CUDA));
    assertTrue(e.getMessage().startsWith("environment variable LOCAL_RANK=3: this process sees GPUs 0,1,2,3"),
        e.getMessage());
  }

  @Test
  void launchPlanIsValidated() {
    assertEquals(8, new Launcher.Plan(4, 2, 1, "10.0.0.1", 29500, null).worldSize());
    assertTrue(assertThrows(VirftException.class, () -> new Launcher.Plan(0, 1, 0, "a", 29500, null))
        .getMessage().startsWith("--nproc_per_node"));
    assertTrue(assertThrows(VirftException.class, () -> new Launcher.Plan(2, 2, 2, "a", 29500, null))
        .getMessage().startsWith("--node_rank: expected 0..1"));
  }

  @Test
  void originalZero3ConfigRunsAsStage2AndSaysWhatIsNotSupported() throws Exception {
    // local_scripts/zero3.json of the original (R1-V / open-r1), abridged.
    Path f = Files.writeString(tmp.resolve("zero3.json"), """
        {"fp16": {"enabled": "auto"}, "bf16": {"enabled": "auto"},
         "zero_optimization": {"stage": 3, "offload_optimizer": {"device": "none", "pin_memory": true},
           "offload_param": {"device": "none", "pin_memory": true}, "overlap_comm": true,
           "contiguous_gradients": true, "sub_group_size": 1e9, "reduce_bucket_size": "auto",
           "stage3_prefetch_bucket_size": "auto", "stage3_param_persistence_threshold": "auto",
           "stage3_max_live_parameters": 1e9, "stage3_max_reuse_distance": 1e9,
           "stage3_gather_16bit_weights_on_model_save": true},
         "gradient_accumulation_steps": "auto", "gradient_clipping": "auto", "steps_per_print": 100,
         "train_batch_size": "auto", "train_micro_batch_size_per_gpu": "auto", "wall_clock_breakdown": false}
        """);
    DeepSpeedConfig ds = DeepSpeedConfig.read(f);
    assertEquals(Zero.STAGE_2, ds.zero());
    assertEquals(Zero.DEFAULT_BUCKET_ELEMENTS, ds.bucketElements());
    String note = ds.note(f);
    assertTrue(note.contains("ZeRO stage 3 (parameter sharding) is not supported; running stage 2"), note);
    assertTrue(note.contains("stage3_max_live_parameters"), note);
    assertTrue(!note.contains("\n"), "one line");
  }

  @Test
  void offloadAndUnknownFieldsAreNamedAndBadStageIsAnError() throws Exception {
    Path f = Files.writeString(tmp.resolve("ds.json"),
        "{\"zero_optimization\": {\"stage\": 1, \"reduce_bucket_size\": 1000, \"offload_optimizer\": {\"device\": \"cpu\"}},"
            + " \"optimizer\": {\"type\": \"Adam\"}}");
    DeepSpeedConfig ds = DeepSpeedConfig.read(f);
    assertEquals(Zero.STAGE_1, ds.zero());
    assertEquals(1000, ds.bucketElements());
    assertTrue(ds.note(f).contains("offload_optimizer.device=cpu is not supported"), ds.note(f));
    assertTrue(ds.note(f).contains("optimizer is not supported"), ds.note(f));
    Path bad = Files.writeString(tmp.resolve("bad.json"), "{\"zero_optimization\": {\"stage\": 4}}");
    VirftException e = assertThrows(VirftException.class, () -> DeepSpeedConfig.read(bad));
    assertTrue(e.getMessage().contains("field 'zero_optimization.stage': expected 0, 1, 2 or 3, got 4"), e.getMessage());
    assertEquals(Zero.NONE, DeepSpeedConfig.read(tmp.resolve("missing.json")).zero());
  }
}
