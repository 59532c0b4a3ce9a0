package dev.virft.cli;

import dev.virft.model.QwenVLModel;
import dev.virft.tools.ModelPresets;
import dev.virft.tensor.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code virft bench load}: the wall time and peak resident memory of loading a checkpoint; with
 * {@code --write-random PRESET}, first writes a random-weight checkpoint of that architecture there
 * (float32, our own writer) to measure on.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = "Time and peak RSS of loading a checkpoint (optionally writing a random-weight one first).")
public final class BenchLoadCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, description = "Checkpoint directory.")
  Path checkpoint;

  @Option(names = "--write-random", paramLabel = "PRESET",
      description = "Write random weights of this architecture (tiny, qwen2-vl-2b, or a config.json) to --checkpoint and exit.")
  String writeRandom;

  @Option(names = "--device", defaultValue = "cpu")
  String device;

  @Override
  public Integer call() throws IOException {
    if (writeRandom != null) {
      OptionChecks.outputDirectory("--checkpoint", checkpoint);
      try (QwenVLModel m = QwenVLModel.randomInit(ModelPresets.resolve(writeRandom), Device.CPU, 0)) {
        m.save(checkpoint);
      }
      System.out.println("wrote random-weight " + writeRandom + " checkpoint to " + checkpoint);
      return 0;
    }
    long t0 = System.nanoTime();
    try (QwenVLModel m = QwenVLModel.load(checkpoint, Device.parse(device))) {
      double s = (System.nanoTime() - t0) / 1e9;
      long bytes = 0;
      for (Path f : Files.newDirectoryStream(checkpoint, "*.safetensors")) {
        bytes += Files.size(f);
      }
      System.out.printf(Locale.ROOT, "load %s: %.2f s, %d tensors, checkpoint %.2f GB, peak RSS %.2f GB%n",
          checkpoint, s, m.parameters().size(), bytes / 1e9, peakRssBytes() / 1e9);
    }
    return 0;
  }

  /** VmHWM of /proc/self/status (Linux), or -1. */
  static long peakRssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }
}
