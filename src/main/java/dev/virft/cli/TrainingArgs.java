package dev.virft.cli;

import dev.virft.data.DatasetCheck;
import dev.virft.data.Sample;
import dev.virft.model.LoraConfig;
import dev.virft.model.QwenVLModel;
import dev.virft.rl.ModelSetup;
import dev.virft.train.Checkpoints;
import dev.virft.tensor.Device;
import dev.virft.train.DeepSpeedConfig;
import dev.virft.train.Distributed;
import dev.virft.util.AtomicFiles;
import dev.virft.util.VirftException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Options shared by {@code virft train} and {@code virft sft}, named as in the original's launch
 * scripts (HF TrainingArguments / TRL GRPOConfig), each with a kebab-case alias. Booleans accept an
 * optional value so the scripts' {@code --save_only_model true} works as written.
 */
public final class TrainingArgs {
  @Option(names = {"--model_name_or_path", "--model-name-or-path"}, required = true,
      description = "Local checkpoint directory of the base model (config, safetensors, tokenizer).")
  public Path modelNameOrPath;

  @Option(names = {"--dataset_name", "--dataset-name"}, required = true,
      description = "Dataset: save_to_disk directory, parquet, json or jsonl.")
  public Path datasetName;

  @Option(names = {"--dataset_split", "--dataset-split"}, defaultValue = "train")
  public String datasetSplit;

  @Option(names = {"--output_dir", "--output-dir"}, required = true)
  public Path outputDir;

  @Option(names = {"--per_device_train_batch_size", "--per-device-train-batch-size"}, defaultValue = "1")
  public int perDeviceTrainBatchSize;

  @Option(names = {"--gradient_accumulation_steps", "--gradient-accumulation-steps"}, defaultValue = "2")
  public int gradientAccumulationSteps;

  @Option(names = {"--num_train_epochs", "--num-train-epochs"}, defaultValue = "1")
  public double numTrainEpochs;

  @Option(names = {"--max_steps", "--max-steps"}, defaultValue = "-1",
      description = "Optimizer steps; overrides --num_train_epochs when > 0.")
  public long maxSteps;

  @Option(names = {"--save_steps", "--save-steps"}, defaultValue = "100")
  public long saveSteps;

  @Option(names = {"--save_only_model", "--save-only-model"}, arity = "0..1", defaultValue = "false",
      description = "Checkpoints without optimizer moments (smaller; cannot be resumed exactly).")
  public boolean saveOnlyModel;

  @Option(names = {"--logging_steps", "--logging-steps"}, defaultValue = "1")
  public long loggingSteps;

  @Option(names = {"--max_pixels", "--max-pixels"}, defaultValue = "401408")
  public long maxPixels;

  @Option(names = {"--min_pixels", "--min-pixels"}, defaultValue = "3136")
  public long minPixels;

  @Option(names = {"--max_prompt_length", "--max-prompt-length"}, defaultValue = "1024")
  public int maxPromptLength;

  @Option(names = "--seed", defaultValue = "42")
  public long seed;

  @Option(names = "--bf16", arity = "0..1", defaultValue = "false",
      description = "bf16 compute (always the case on CUDA, with float32 master weights); CPU runs in float32.")
  public boolean bf16;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda.")
  public String device;

  @Option(names = {"--freeze_vision_tower", "--freeze-vision-tower"}, arity = "0..1", defaultValue = "false")
  public boolean freezeVisionTower;

  @Option(names = {"--resume_from_checkpoint", "--resume-from-checkpoint"},
      description = "checkpoint-N directory, or 'latest' (newest in --output_dir).")
  public String resumeFromCheckpoint;

  @Option(names = {"--learning_rate", "--learning-rate"}, defaultValue = "1e-6")
  public double learningRate;

  @Option(names = {"--warmup_ratio", "--warmup-ratio"}, defaultValue = "0")
  public double warmupRatio;

  @Option(names = {"--warmup_steps", "--warmup-steps"}, defaultValue = "0")
  public long warmupSteps;

  @Option(names = {"--weight_decay", "--weight-decay"}, defaultValue = "0")
  public double weightDecay;

  @Option(names = {"--max_grad_norm", "--max-grad-norm"}, defaultValue = "1.0")
  public double maxGradNorm;

  @Option(names = {"--no_progress", "--no-progress"}, description = "No progress bar.")
  public boolean noProgress;

  @Option(names = {"--use_peft", "--use-peft"}, arity = "0..1", defaultValue = "false",
      description = "Train LoRA adapters on the language model's linear modules; base weights (and the vision "
          + "tower) stay frozen. Checkpoints hold a PEFT adapter (adapter_model.safetensors + adapter_config.json).")
  public boolean usePeft;

  @Option(names = {"--lora_r", "--lora-r"}, defaultValue = "64", description = "LoRA rank (default 64).")
  public int loraR;

  @Option(names = {"--lora_alpha", "--lora-alpha"}, defaultValue = "128",
      description = "LoRA alpha; the update is scaled by alpha / r (default 128).")
  public double loraAlpha;

  @Option(names = {"--lora_dropout", "--lora-dropout"}, defaultValue = "0",
      description = "LoRA dropout; only 0 is supported (PEFT's default is 0.05).")
  public double loraDropout;

  @Option(names = {"--lora_target_modules", "--lora-target-modules"}, split = ",",
      defaultValue = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
      description = "Language-model modules with adapters (comma list, or all-linear); never the vision tower.")
  public List<String> loraTargetModules;

  @Option(names = {"--merge_lora", "--merge-lora"}, arity = "0..1", defaultValue = "false",
      description = "With --use_peft: also write OUTPUT_DIR/merged, full weights in the hub layout with the "
          + "final adapter folded in.")
  public boolean mergeLora;

  @Option(names = "--deepspeed",
      description = "DeepSpeed JSON (e.g. the original's zero3.json): its ZeRO stage and reduce_bucket_size are "
          + "used (stage 1/2 shard the optimizer state over ranks; 3 runs as 2); what is not supported is printed.")
  public Path deepspeed;

  @Option(names = {"--skip_bad_rows", "--skip-bad-rows"}, arity = "0..1", defaultValue = "false",
      description = "Drop (and count) dataset rows whose image does not decode, instead of stopping before step 1.")
  public boolean skipBadRows;

  @Option(names = {"--allow_outside_paths", "--allow-outside-paths"}, arity = "0..1", defaultValue = "false",
      description = "Let image paths stored in the dataset point outside its folder (refused by default).")
  public boolean allowOutsidePaths;

  // Accepted so the original launch scripts run unchanged; they have no effect here.
  @Option(names = {"--report_to", "--attn_implementation", "--run_name", "--torch_dtype",
      "--gradient_checkpointing", "--use_vllm"}, arity = "0..1", hidden = true)
  public List<String> ignored = new ArrayList<>();

  void warnIgnored(PrintStream err) {
    if (!ignored.isEmpty()) {
      err.println("note: ignoring options of the Python launcher with no equivalent here: " + ignored);
    }
  }

  /** --deepspeed as read (ZeRO stage, bucket size), its note printed on rank 0. */
  DeepSpeedConfig deepSpeed(Distributed dist, PrintStream err) {
    DeepSpeedConfig ds = DeepSpeedConfig.read(deepspeed);
    String note = ds.note(deepspeed == null ? Path.of("") : deepspeed);
    if (note != null && dist.isMain()) {
      err.println(note);
    }
    return ds;
  }

  /** The LoRA options as a config whose base is the given model directory. */
  LoraConfig loraConfig(Path base) {
    List<String> targets = loraTargetModules.size() == 1 && loraTargetModules.get(0).equals("all-linear")
        ? LoraConfig.MODULES : loraTargetModules;
    return new LoraConfig(loraR, loraAlpha, loraDropout, targets, base.toAbsolutePath().normalize())
        .validated("--lora_r/--lora_alpha/--lora_dropout/--lora_target_modules");
  }

  /** Checks the LoRA options before anything is loaded. */
  void validateLora() {
    if (usePeft) {
      loraConfig(modelNameOrPath);
    } else if (mergeLora) {
      throw new VirftException("--merge_lora: needs --use_peft (there is no adapter to merge)");
    }
  }

  /** Where tokenizer, chat template and processor files are read from ({@link ModelSetup#filesDir}). */
  Path filesDir() {
    return ModelSetup.filesDir(modelNameOrPath);
  }

  /** The model to train, as {@link ModelSetup} decides from these options. */
  QwenVLModel loadModel(Path resume, Device device, PrintStream err) {
    return new ModelSetup(modelNameOrPath, usePeft ? loraConfig(modelNameOrPath) : null, seed, freezeVisionTower)
        .load(resume, device, err);
  }

  /** --merge_lora: the trained model with its adapter folded in, as full weights in OUTPUT_DIR/merged. */
  void writeMergedIfAsked(QwenVLModel m, PrintStream out) {
    if (!usePeft || !mergeLora) {
      return;
    }
    Path dir = outputDir.resolve("merged");
    m.mergeLora();
    Path files = filesDir();
    AtomicFiles.writeDirectory(dir, tmp -> {
      m.save(tmp);
      Checkpoints.copyBaseFiles(files, tmp);
    });
    out.println("merged weights: " + dir);
  }

  /**
   * Reads every row (images stay encoded, so this is small) of the dataset split, and checks them all
   * before step 1 (see {@link DatasetCheck}).
   */
  List<Sample> loadSamples() {
    if (!Files.exists(datasetName)) {
      throw new VirftException("--dataset_name " + datasetName + ": no such file or directory");
    }
    try {
      return DatasetCheck.readAll(datasetName, datasetSplit, skipBadRows, allowOutsidePaths, System.err);
    } catch (VirftException e) {
      throw e;
    } catch (Exception e) {
      throw new VirftException(datasetName + ": cannot read dataset: " + e.getMessage(), e);
    }
  }
}
