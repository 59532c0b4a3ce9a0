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
public final class KVCache implements AutoCloseable {
  private final Tensor[] keys;
  private final Tensor[] values;
  private final long[][] keyMask;
  private final int capacity;
  private final int batch;
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
    for (int i = 0; i < layers; i++) {
      keys[i] = torch.zeros(shape, opts);
      values[i] = torch.zeros(shape, opts);
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
   * Writes this step's keys/values ([B, kvHeads, L, D]) at the current length. Returns the keys and
   * values to attend over: those so far for the prefill, and the whole buffer for decode steps (the
   * mask blocks the unwritten tail), so that every decode step has the same shapes and the native
   * allocator reuses the same blocks instead of fragmenting on ever-growing sizes.
   */
  Tensor[] append(int layer, Tensor k, Tensor v) {
    long l = k.size(2);
    keys[layer].narrow(2, length, l).copy_(k);
    values[layer].narrow(2, length, l).copy_(v);
    long total = attendLength((int) l);
    return new Tensor[] {keys[layer].narrow(2, 0, total), values[layer].narrow(2, 0, total)};
  }

  /** How many key positions a step of {@code l} new tokens attends over (see {@link #append}). */
  int attendLength(int l) {
    return length == 0 ? l : capacity;
  }

  void advance(int steps) {
    length += steps;
  }

  @Override
  public void close() {
    for (int i = 0; i < keys.length; i++) {
      keys[i].close();
      values[i].close();
    }
  }
}
