package dev.virft.rl;

import dev.virft.model.LoraConfig;
import dev.virft.model.QwenVLModel;
import dev.virft.tensor.Device;
import dev.virft.util.VirftException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which weights a training run (GRPO or SFT) starts from and which of them it trains, decided from the
 * model path, the LoRA choice and the checkpoint to resume:
 *
 * <ul>
 *   <li>full weights: from the checkpoint to resume, else from {@code model} (an adapter directory there
 *       is merged into its base first); the vision tower frozen with {@code freezeVisionTower};
 *   <li>LoRA ({@code lora} non-null): the base with adapters, from the checkpoint to resume, else from an
 *       adapter directory given as {@code model} (training goes on with that adapter and its r, alpha
 *       and targets), else fresh adapters (A seeded by {@code seed}) on {@code model}.
 * </ul>
 *
 * A checkpoint of the other kind than the run asks for is an error naming it.
 *
 * @param lora the adapters to add, or null to train full weights
 */
public record ModelSetup(Path model, LoraConfig lora, long seed, boolean freezeVisionTower) {
  public QwenVLModel load(Path resume, Device device, PrintStream err) {
    boolean adapterModel = LoraConfig.isAdapterDir(model) && !Files.exists(model.resolve("config.json"));
    if (lora != null) {
      if (resume != null) {
        if (!LoraConfig.isAdapterDir(resume)) {
          throw new VirftException("--resume_from_checkpoint " + resume + ": no " + LoraConfig.CONFIG_FILE
              + " (full weights); resume it without --use_peft");
        }
        return QwenVLModel.loadWithAdapter(resume, device);
      }
      if (adapterModel) {
        err.println("note: --model_name_or_path is a LoRA adapter; training goes on with its r, alpha and targets");
        return QwenVLModel.loadWithAdapter(model, device);
      }
      QwenVLModel m = QwenVLModel.load(model, device);
      m.addLora(lora, seed);
      return m;
    }
    if (resume != null && LoraConfig.isAdapterDir(resume)) {
      throw new VirftException("--resume_from_checkpoint " + resume + ": holds a LoRA adapter ("
          + LoraConfig.CONFIG_FILE + "); resume it with --use_peft");
    }
    QwenVLModel m = QwenVLModel.load(resume != null ? resume : model, device);
    m.setTrainable(name -> !(freezeVisionTower && name.startsWith("visual.")));
    return m;
  }

  /**
   * Where tokenizer, chat template and processor files are read from: {@code model}, or for a bare PEFT
   * adapter directory without them, its base model.
   */
  public static Path filesDir(Path model) {
    if (LoraConfig.isAdapterDir(model) && !Files.isRegularFile(model.resolve("tokenizer.json"))) {
      return LoraConfig.read(model).requireBase(model);
    }
    return model;
  }
}
