package dev.virft.cli;

import dev.virft.model.LoraConfig;
import dev.virft.model.QwenVLModel;
import dev.virft.train.Checkpoints;
import dev.virft.tensor.Device;
import dev.virft.util.AtomicFiles;
import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code virft lora ...}: tools for PEFT LoRA adapters written by {@code train/sft --use_peft}. */
@Command(
    name = "lora",
    mixinStandardHelpOptions = true,
    description = "LoRA adapter tools.",
    subcommands = {LoraCommand.Merge.class})
public final class LoraCommand implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** {@code virft lora merge}: base + adapter → full weights in the hub layout. */
  @Command(
      name = "merge",
      mixinStandardHelpOptions = true,
      description = {
        "Folds a LoRA adapter into its base model (W + alpha/r * B A, float32) and writes full weights in",
        "the hub layout (config.json + model.safetensors) plus the tokenizer/processor files."
      })
  public static final class Merge implements Callable<Integer> {
    @Option(names = "--adapter", required = true, description = "Adapter directory (adapter_config.json + adapter_model.safetensors).")
    Path adapter;

    @Option(names = "--base", description = "Base checkpoint directory (default: the adapter's base_model_name_or_path).")
    Path base;

    @Option(names = "--output", required = true, description = "Directory to write.")
    Path output;

    @Override
    public Integer call() {
      OptionChecks.replacedDirectory("--output", output);
      if (!LoraConfig.isAdapterDir(adapter)) {
        throw new VirftException("--adapter " + adapter + ": no " + LoraConfig.CONFIG_FILE + " (not a PEFT adapter directory)");
      }
      LoraConfig lc = LoraConfig.read(adapter);
      Path b = base != null ? base : lc.requireBase(adapter);
      try (QwenVLModel m = QwenVLModel.loadWithAdapter(adapter, b, Device.CPU)) {
        m.mergeLora();
        // Tokenizer files: the adapter's own copies (a checkpoint-N has them), else the base's.
        Path files = Files.isRegularFile(adapter.resolve("tokenizer.json")) ? adapter : b;
        AtomicFiles.writeDirectory(output, tmp -> {
          m.save(tmp);
          Checkpoints.copyBaseFiles(files, tmp);
        });
      }
      System.out.println("merged " + adapter + " into " + b + ": " + output);
      return 0;
    }
  }
}
