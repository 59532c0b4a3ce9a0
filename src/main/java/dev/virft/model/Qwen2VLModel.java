package dev.virft.model;

import dev.virft.model.nn.ComputeWeights;
import dev.virft.model.nn.WeightBinder;
import dev.virft.model.text.CausalMask;
import dev.virft.model.text.Qwen2Model;
import dev.virft.model.vision.VisionTransformer;
import dev.virft.tensor.Device;
import dev.virft.tensor.Tensors;
import dev.virft.util.VirftException;
import java.util.Arrays;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * transformers' {@code Qwen2VLModel} / {@code Qwen2_5_VLModel}: the vision tower {@code visual}
 * ({@link #imageEmbeddings}, {@code get_image_features}), the merge of image features into the
 * {@code <|image_pad|>} positions ({@link #inputsEmbeds}), M-RoPE positions ({@link RopeIndex},
 * {@code get_rope_index}) and the decoder {@code language_model} ({@link Qwen2Model}): input ids to last
 * hidden states. {@link QwenVLModel} puts the LM head on top.
 */
final class Qwen2VLModel {
  private final QwenVLConfig cfg;
  private final Device device;
  private final VisionTransformer visual;
  private final Qwen2Model languageModel;

  /** Binds {@code visual.*} and {@code model.*} (the hub names; transformers 5 nests both under {@code model.}). */
  Qwen2VLModel(QwenVLConfig cfg, ComputeWeights weights, WeightBinder b) {
    this.cfg = cfg;
    this.device = weights.device();
    visual = VisionTransformer.create(cfg.vision(), t -> t.to(device.computeType()), b.under("visual."));
    languageModel = new Qwen2Model(cfg.text(), weights, b.under("model."));
  }

  Qwen2Model languageModel() {
    return languageModel;
  }

  /** The vision tower's merged embeddings [tokens, hidden] for the images of a batch ({@code get_image_features}). */
  Tensor imageEmbeddings(Tensor pixelValues, long[][] imageGridThw) {
    if (imageGridThw == null) {
      throw new VirftException("model: pixel values given without image_grid_thw");
    }
    long patches = 0;
    for (long[] g : imageGridThw) {
      patches += g[0] * g[1] * g[2];
    }
    if (pixelValues.dim() != 2 || pixelValues.size(0) != patches
        || pixelValues.size(1) != cfg.vision().patchDim()) {
      throw new VirftException("pixel_values: shape " + Arrays.toString(Tensors.shape(pixelValues))
          + ", expected [" + patches + ", " + cfg.vision().patchDim() + "] for image_grid_thw "
          + Arrays.deepToString(imageGridThw));
    }
    return visual.forward(pixelValues.to(device.torchDevice(), device.computeType()), imageGridThw)
        .to(device.computeType());
  }

  /** M-RoPE positions [3, B, L] and deltas [B] of a left-padded batch, as transformers computes them. */
  RopeIndex.Result ropeIndex(Tensor inputIds, Tensor attentionMask, long[][] imageGridThw) {
    long[][] ids = Tensors.toLongs2d(inputIds);
    long[][] mask = attentionMask == null ? null : Tensors.toLongs2d(attentionMask);
    return RopeIndex.compute(cfg, ids, mask, imageGridThw);
  }

  /** Token embeddings with the image features scattered into the {@code <|image_pad|>} positions. */
  Tensor inputsEmbeds(Tensor idsDev, Tensor imageEmbeds) {
    Tensor embeds = languageModel.embed(idsDev);
    if (imageEmbeds == null) {
      return embeds;
    }
    Tensor isImage = idsDev.eq(new Scalar(cfg.imageTokenId()));
    long tokens = isImage.sum().item_long();
    if (tokens != imageEmbeds.size(0)) {
      throw new VirftException("input_ids: " + tokens + " <|image_pad|> tokens (id "
          + cfg.imageTokenId() + ") but the images give " + imageEmbeds.size(0) + " embeddings");
    }
    Tensor m = isImage.unsqueeze(-1).expand_as(embeds);
    return embeds.masked_scatter(m, imageEmbeds.to(embeds.scalar_type()));
  }

  /** The decoder's last hidden states [B, L, H] of a batch (with a cache: appended after the cached tokens). */
  Tensor hidden(Tensor inputIds, Tensor attentionMask, Tensor imageEmbeds, long[][] grids, KVCache cache) {
    long b = inputIds.size(0);
    long l = inputIds.size(1);
    int past = cache == null ? 0 : cache.length();
    long[][] ids = Tensors.toLongs2d(inputIds);
    long[][] mask = attentionMask == null ? ones(b, past + l) : Tensors.toLongs2d(attentionMask);
    if (mask.length != b || (b > 0 && mask[0].length != past + l)) {
      throw new VirftException("attention_mask: shape [" + mask.length + ", "
          + (b > 0 ? mask[0].length : 0) + "], expected [" + b + ", " + (past + l) + "]");
    }
    Tensor embeds = inputsEmbeds(inputIds.to(device.torchDevice(), torch.ScalarType.Long), imageEmbeds);
    Tensor positions;
    if (past == 0) {
      RopeIndex.Result r = RopeIndex.compute(cfg, ids, mask, imageEmbeds == null ? null : grids);
      positions = Tensors.longs(r.flat(), 3, b, l);
      if (cache != null) {
        cache.setRopeDeltas(r.deltas());
      }
    } else {
      positions = RopeIndex.decodePositions(mask, past, (int) l, cache.ropeDeltas());
    }
    positions = positions.to(device.torchDevice(), torch.ScalarType.Long);
    if (cache != null) {
      if (cache.batch() != b || past + l > cache.capacity()) {
        throw new VirftException("KV cache: holds " + cache.batch() + " rows x " + cache.capacity()
            + " positions, the input needs " + b + " x " + (past + l));
      }
      cache.recordMask(mask, past);
    }
    Tensor add = CausalMask.additive(mask, past, (int) l,
        cache == null ? past + (int) l : cache.attendLength((int) l), device);
    Tensor h = languageModel.forward(embeds, positions, add, cache);
    if (cache != null) {
      cache.advance((int) l);
    }
    return h;
  }

  static long[][] ones(long b, long l) {
    long[][] m = new long[(int) b][(int) l];
    for (long[] row : m) {
      Arrays.fill(row, 1L);
    }
    return m;
  }

  /**
   * The decoder's hidden states of the completion tokens' predecessors [G, T, H] for G completions
   * ({@code completionIds} [G, T]) of one prompt ({@code promptIds} [1, L]), the prompt run once: its
   * keys and values are shared by the G rows ({@link SharedPromptKV}). Null when T is 0.
   */
  Tensor sharedPromptHidden(Tensor promptIds, Tensor promptMask, Tensor imageEmbeds, long[][] imageGridThw,
      Tensor completionIds) {
    int l = (int) promptIds.size(1);
    int g = (int) completionIds.size(0);
    int t = (int) completionIds.size(1);
    long[][] pid = Tensors.toLongs2d(promptIds);
    long[][] pmask = promptMask == null ? ones(1, l) : Tensors.toLongs2d(promptMask);
    org.bytedeco.pytorch.Device dev = device.torchDevice();
    SharedPromptKV kv = new SharedPromptKV(cfg.text().numHiddenLayers());
    Tensor embeds = inputsEmbeds(promptIds.to(dev, torch.ScalarType.Long), imageEmbeds);
    RopeIndex.Result r = RopeIndex.compute(cfg, pid, pmask, imageEmbeds == null ? null : imageGridThw);
    Tensor positions = Tensors.longs(r.flat(), 3, 1, l).to(dev, torch.ScalarType.Long);
    Tensor hp = languageModel.forward(embeds, positions, CausalMask.additive(pmask, 0, l, l, device), kv);
    if (t == 0) {
      return null;
    }
    kv.expandTo(g);
    long[][] mask = new long[g][l + t];
    long[] deltas = new long[g];
    for (int i = 0; i < g; i++) {
      System.arraycopy(pmask[0], 0, mask[i], 0, l);
      Arrays.fill(mask[i], l, l + t, 1L);
      deltas[i] = r.deltas()[0];
    }
    Tensor ids = completionIds.to(dev, torch.ScalarType.Long);
    Tensor hc = languageModel.forward(languageModel.embed(ids),
        RopeIndex.decodePositions(mask, l, t, deltas).to(dev, torch.ScalarType.Long),
        CausalMask.additive(mask, l, t, l + t, device), kv);
    // The prompt's last position predicts the first completion token, completion j predicts j + 1.
    Tensor last = hp.narrow(1, l - 1, 1).expand(g, 1, hp.size(-1));
    return t == 1 ? last : torch.cat(new org.bytedeco.pytorch.TensorVector(last, hc.narrow(1, 0, t - 1)), 1);
  }
}
