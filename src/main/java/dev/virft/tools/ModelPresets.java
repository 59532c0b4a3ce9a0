package dev.virft.tools;

import dev.virft.model.QwenVLConfig;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Model configs by size name for benchmarks and tests with random weights: {@code tiny} (two small
 * layers, the real Qwen2 vocabulary and special-token ids, so the real tokenizer works with it) and
 * {@code qwen2-vl-2b} (the architecture of Qwen2-VL-2B-Instruct's config.json). A path to a
 * config.json or checkpoint directory is read as is.
 */
public final class ModelPresets {
  private ModelPresets() {}

  static final String TINY =
      """
      {"architectures": ["Qwen2VLForConditionalGeneration"], "model_type": "qwen2_vl",
       "vision_config": {"depth": 2, "embed_dim": 32, "mlp_ratio": 2, "num_heads": 2, "in_chans": 3,
         "hidden_size": 32, "patch_size": 14, "spatial_merge_size": 2, "spatial_patch_size": 14,
         "temporal_patch_size": 2},
       "hidden_act": "silu", "hidden_size": 32, "initializer_range": 0.02, "intermediate_size": 64,
       "max_position_embeddings": 32768, "max_window_layers": 2, "num_attention_heads": 2,
       "num_hidden_layers": 2, "num_key_value_heads": 1, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
       "sliding_window": 32768, "tie_word_embeddings": true, "torch_dtype": "float32", "use_cache": true,
       "use_sliding_window": false, "vocab_size": 151936,
       "rope_scaling": {"type": "mrope", "mrope_section": [2, 3, 3]},
       "vision_start_token_id": 151652, "vision_end_token_id": 151653, "vision_token_id": 151654,
       "image_token_id": 151655, "video_token_id": 151656, "bos_token_id": 151643, "eos_token_id": 151645}
      """;

  static final String QWEN2_VL_2B =
      """
      {"architectures": ["Qwen2VLForConditionalGeneration"], "model_type": "qwen2_vl",
       "vision_config": {"depth": 32, "embed_dim": 1280, "mlp_ratio": 4, "num_heads": 16, "in_chans": 3,
         "hidden_size": 1536, "patch_size": 14, "spatial_merge_size": 2, "spatial_patch_size": 14,
         "temporal_patch_size": 2},
       "hidden_act": "silu", "hidden_size": 1536, "initializer_range": 0.02, "intermediate_size": 8960,
       "max_position_embeddings": 32768, "max_window_layers": 28, "num_attention_heads": 12,
       "num_hidden_layers": 28, "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
       "sliding_window": 32768, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "use_cache": true,
       "use_sliding_window": false, "vocab_size": 151936,
       "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]},
       "vision_start_token_id": 151652, "vision_end_token_id": 151653, "vision_token_id": 151654,
       "image_token_id": 151655, "video_token_id": 151656, "bos_token_id": 151643, "eos_token_id": 151645}
      """;

  public static QwenVLConfig resolve(String nameOrPath) {
    String json =
        switch (nameOrPath) {
          case "tiny" -> TINY;
          case "qwen2-vl-2b" -> QWEN2_VL_2B;
          default -> null;
        };
    if (json == null) {
      Path p = Path.of(nameOrPath);
      if (!Files.exists(p)) {
        throw new VirftException(
            "--model: '" + nameOrPath + "' is neither a preset (tiny, qwen2-vl-2b) nor an existing config path");
      }
      return QwenVLConfig.read(p);
    }
    try {
      return QwenVLConfig.parse(Json.MAPPER.readTree(json), "preset " + nameOrPath);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
