package dev.virft.model;

import dev.virft.tensor.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Keys and values of every decoder layer for a batch, preallocated to a fixed capacity so that decoding
 * allocates nothing that outlives a step: each step writes its slice in place. Also remembers which key
 * positions are padding and each row's M-RoPE delta (set by the prefill), which decode positions need.
 * Only for inference: writes happen under no-grad.
 */
public final class KVCache implements dev.virft.model.text.KeyValues, AutoCloseable {
  private final Tensor[] keys;
  private final Tensor[] values;
  private long[][] keyMask;
  private final int capacity;
  private int batch;
  private long[] ropeDeltas;
  private int length;

  public KVCache(QwenVLConfig cfg, int batch, int capacity, Device device) {
    QwenVLConfig.TextConfig t = cfg.text();
    this.batch = batch;
    this.capacity = capacity;
    int layers = t.numHiddenLayers();
    keys = new Tensor[layers];
    values = new Tensor[layers];
    TensorOptions opts =
        new TensorOptions(device.computeType()).device(new org.bytedeco.pytorch.DeviceOptional(device.torchDevice()));
    long[] shape = {batch, t.numKeyValueHeads(), capacity, t.headDim()};
    // Owned by the cache alone, not by the caller's PointerScope: close() and keepRows() free them then.
    try (org.bytedeco.javacpp.PointerScope own = new org.bytedeco.javacpp.PointerScope()) {
      for (int i = 0; i < layers; i++) {
        keys[i] = torch.zeros(shape, opts);
        values[i] = torch.zeros(shape, opts);
        keys[i].retainReference();
        values[i].retainReference();
      }
    }
    keyMask = new long[batch][capacity];
  }

  public int length() {
    return length;
  }

  public int capacity() {
    return capacity;
  }

  public int batch() {
    return batch;
  }

  /** Per-row M-RoPE deltas from the prefill; null before it. */
  public long[] ropeDeltas() {
    return ropeDeltas;
  }

  void setRopeDeltas(long[] deltas) {
    this.ropeDeltas = deltas.clone();
  }

  /** The key mask for all positions so far ([B][length]); padding is 0. */
  long[][] keyMask() {
    return keyMask;
  }

  void recordMask(long[][] mask, int from) {
    for (int b = 0; b < batch; b++) {
      System.arraycopy(mask[b], from, keyMask[b], from, mask[b].length - from);
    }
  }

  /**
   * Writes this step's keys/values ([B, kvHeads, L, D]) in place at the current length and returns
   * views of the keys and values written so far, which are what the step attends over: no copy of
   * the cache and no attention over its unwritten tail.
   */
  @Override
  public Tensor[] append(int layer, Tensor k, Tensor v) {
    long l = k.size(2);
    keys[layer].narrow(2, length, l).copy_(k);
    values[layer].narrow(2, length, l).copy_(v);
    long total = attendLength((int) l);
    return new Tensor[] {keys[layer].narrow(2, 0, total), values[layer].narrow(2, 0, total)};
  }

  /** How many key positions a step of {@code l} new tokens attends over (see {@link #append}). */
  int attendLength(int l) {
    return length + l;
  }

  void advance(int steps) {
    length += steps;
  }

  /** Sets the length after rows were filled by {@link #copyPrompt}. */
  void setLength(int length) {
    this.length = length;
  }

  /**
   * Copies the first {@code len} positions of row {@code srcRow} of {@code src} (a prompt's own
   * prefill) into rows [dstRow, dstRow + count) at positions [dstPos, dstPos + len): one prefill
   * serves every sample of its prompt.
   */
  void copyPrompt(KVCache src, int srcRow, int len, int dstRow, int count, int dstPos) {
    for (int i = 0; i < keys.length; i++) {
      keys[i].narrow(0, dstRow, count).narrow(2, dstPos, len).copy_(src.keys[i].narrow(0, srcRow, 1).narrow(2, 0, len));
      values[i].narrow(0, dstRow, count).narrow(2, dstPos, len)
          .copy_(src.values[i].narrow(0, srcRow, 1).narrow(2, 0, len));
    }
  }

  /** Keeps only the rows {@code index} ([k] int64, on the cache's device): finished rows leave the batch. */
  void keepRows(Tensor index) {
    long[] rows = dev.virft.tensor.Tensors.toLongs(index.cpu());
    for (int i = 0; i < keys.length; i++) {
      Tensor k = keys[i].index_select(0, index);
      Tensor v = values[i].index_select(0, index);
      k.retainReference();
      v.retainReference();
      keys[i].releaseReference();
      values[i].releaseReference();
      keys[i] = k;
      values[i] = v;
    }
    long[][] mask = new long[rows.length][];
    long[] deltas = ropeDeltas == null ? null : new long[rows.length];
    for (int r = 0; r < rows.length; r++) {
      mask[r] = keyMask[(int) rows[r]];
      if (deltas != null) {
        deltas[r] = ropeDeltas[(int) rows[r]];
      }
    }
    keyMask = mask;
    ropeDeltas = deltas;
    batch = rows.length;
  }

  @Override
  public void close() {
    for (int i = 0; i < keys.length; i++) {
      keys[i].releaseReference();
      values[i].releaseReference();
    }
  }
}
