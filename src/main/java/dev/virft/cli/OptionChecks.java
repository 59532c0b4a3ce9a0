package dev.virft.cli;

import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of options and output places that commands run before loading or computing anything, so a
 * mistake costs a one-line error (exit 2) instead of a run that fails at its first save.
 */
public final class OptionChecks {
  private OptionChecks() {}

  public static void require(boolean ok, String option, String expected, Object got) {
    if (!ok) {
      throw new VirftException(option + ": expected " + expected + ", got " + got);
    }
  }

  /**
   * A directory results are written into: created when absent (as transformers' Trainer does), and
   * refused when it is a file or cannot be written.
   */
  public static Path outputDirectory(String option, Path dir) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new VirftException(option + " " + dir + ": is a file, expected a directory (or a path to create one)");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException | SecurityException e) {
      throw new VirftException(option + " " + dir + ": cannot create the directory (" + reason(e) + ")");
    }
    if (!Files.isWritable(dir)) {
      throw new VirftException(option + " " + dir + ": the directory is not writable");
    }
    return dir;
  }

  /**
   * A file a command will write (atomically, through a temporary beside it): not a directory, and its
   * directory exists or can be created and is writable. Nothing is created here but that directory.
   */
  public static Path outputFile(String option, Path file) {
    if (Files.isDirectory(file)) {
      throw new VirftException(option + " " + file + ": is a directory, expected a file name");
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Path existing = parent;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      if (existing != null && !Files.isDirectory(existing)) {
        throw new VirftException(option + " " + file + ": " + existing + " is a file, expected a directory");
      }
      try {
        Files.createDirectories(parent);
      } catch (IOException | SecurityException e) {
        throw new VirftException(option + " " + file + ": cannot create its directory " + parent + " (" + reason(e) + ")");
      }
      if (!Files.isWritable(parent)) {
        throw new VirftException(option + " " + file + ": its directory " + parent + " is not writable");
      }
    }
    if (Files.exists(file) && !Files.isWritable(file) && !Files.isWritable(parent)) {
      throw new VirftException(option + " " + file + ": the file is not writable");
    }
    return file;
  }

  /**
   * A directory a command writes whole and renames into place (replacing an older one): not a file,
   * and its parent exists or can be created and is writable.
   */
  public static Path replacedDirectory(String option, Path dir) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new VirftException(option + " " + dir + ": is a file, expected a directory (or a path to create one)");
    }
    Path parent = dir.toAbsolutePath().normalize().getParent();
    if (parent != null) {
      outputFile(option, parent.resolve(".virft-probe"));
    }
    return dir;
  }

  /** The options {@code virft train} and {@code virft sft} share, and their output directory. */
  public static void training(TrainingArgs a) {
    require(a.perDeviceTrainBatchSize >= 1, "--per_device_train_batch_size", "at least 1", a.perDeviceTrainBatchSize);
    require(a.gradientAccumulationSteps >= 1, "--gradient_accumulation_steps", "at least 1", a.gradientAccumulationSteps);
    require(a.saveSteps >= 1, "--save_steps", "at least 1", a.saveSteps);
    require(a.loggingSteps >= 1, "--logging_steps", "at least 1", a.loggingSteps);
    require(a.maxSteps == -1 || a.maxSteps >= 1, "--max_steps", "-1 (use --num_train_epochs) or at least 1", a.maxSteps);
    require(a.maxSteps > 0 || (a.numTrainEpochs > 0 && Double.isFinite(a.numTrainEpochs)),
        "--num_train_epochs", "a finite number above 0 (or set --max_steps)", a.numTrainEpochs);
    require(a.learningRate >= 0 && Double.isFinite(a.learningRate), "--learning_rate", "a finite number >= 0", a.learningRate);
    require(a.warmupRatio >= 0 && a.warmupRatio <= 1, "--warmup_ratio", "in [0, 1]", a.warmupRatio);
    require(a.warmupSteps >= 0, "--warmup_steps", "at least 0", a.warmupSteps);
    require(a.weightDecay >= 0 && Double.isFinite(a.weightDecay), "--weight_decay", "a finite number >= 0", a.weightDecay);
    require(a.maxGradNorm >= 0 && !Double.isNaN(a.maxGradNorm), "--max_grad_norm", "a number >= 0 (0: no clipping)", a.maxGradNorm);
    require(a.maxPromptLength >= 1, "--max_prompt_length", "at least 1", a.maxPromptLength);
    require(a.minPixels >= 1, "--min_pixels", "at least 1", a.minPixels);
    require(a.maxPixels >= a.minPixels, "--max_pixels", "at least --min_pixels (" + a.minPixels + ")", a.maxPixels);
    if (!Files.isDirectory(a.modelNameOrPath)) {
      throw new VirftException("--model_name_or_path " + a.modelNameOrPath
          + ": not a directory, expected a local checkpoint directory (no downloads at run time)");
    }
    if (!Files.exists(a.datasetName)) {
      throw new VirftException("--dataset_name " + a.datasetName + ": no such file or directory");
    }
    outputDirectory("--output_dir", a.outputDir);
    dev.virft.train.Checkpoints.cleanTemporaries(a.outputDir, System.err);
  }

  private static String reason(Exception e) {
    if (e instanceof java.nio.file.FileSystemException fe && fe.getReason() != null) {
      return fe.getReason();
    }
    return e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
