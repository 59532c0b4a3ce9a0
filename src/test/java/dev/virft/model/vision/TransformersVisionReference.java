package dev.virft.model.vision;

import dev.virft.model.QwenVLConfig.Family;
import dev.virft.model.QwenVLConfig.VisionConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A literal transcription of transformers' vision forward (eager attention), independent of the towers'
 * layout and attention plan: Conv3d patch embedding, {@code rot_pos_emb} by index table, for Qwen2.5-VL
 * the window permutation of the activations and its argsort reversal, and attention as a Python-style
 * loop over {@code cu_seqlens} chunks with explicit softmax. Slow and simple on purpose: it checks the
 * towers on configurations the golden fixtures do not cover.
 */
final class TransformersVisionReference {
  private TransformersVisionReference() {}

  static Tensor forward(VisionConfig c, Map<String, Tensor> w, Tensor pixels, long[][] grid) {
    boolean qwen25 = c.family() == Family.QWEN2_5_VL;
    int m = c.spatialMergeSize();
    int mm = m * m;
    long e = c.embedDim();
    Tensor x = torch.conv3d(pixels.view(-1, c.inChannels(), c.temporalPatchSize(), c.patchSize(), c.patchSize()),
        w.get("visual.patch_embed.proj.weight"), new TensorOptional(),
        new long[] {c.temporalPatchSize(), c.patchSize(), c.patchSize()}, new long[] {0, 0, 0},
        new long[] {1, 1, 1}, 1).view(-1, e);
    long seq = x.size(0);
    Tensor rot = rotPosEmb(c, grid);

    List<Long> cuFull = new ArrayList<>(List.of(0L));
    for (long[] g : grid) {
      for (int f = 0; f < g[0]; f++) {
        cuFull.add(cuFull.get(cuFull.size() - 1) + g[1] * g[2]);
      }
    }
    Tensor windowIndex = null;
    List<Long> cuWindow = null;
    if (qwen25) {
      TransformersWindowIndex wi = TransformersWindowIndex.of(grid, m, VisionChecks.mergedWindow(c));
      windowIndex = torch.tensor(wi.windowIndex().stream().mapToLong(Long::longValue).toArray());
      cuWindow = wi.cuWindowSeqlens();
      x = x.reshape(seq / mm, mm, -1).index_select(0, windowIndex).reshape(seq, -1);
      rot = rot.reshape(seq / mm, mm, -1).index_select(0, windowIndex).reshape(seq, -1);
    }
    Tensor emb = torch.cat(new TensorVector(rot, rot), -1);
    Tensor cos = torch.cos(emb);
    Tensor sin = torch.sin(emb);
    for (int b = 0; b < c.depth(); b++) {
      String p = "visual.blocks." + b + ".";
      boolean full = !qwen25 || contains(c.fullattBlockIndexes(), b);
      x = x.add(attention(c, w, p + "attn.", norm(c, w, p + "norm1", x), full ? cuFull : cuWindow, cos, sin));
      Tensor h = norm(c, w, p + "norm2", x);
      Tensor mlp = qwen25
          ? lin(w, p + "mlp.down_proj", Activations.apply(c.hiddenAct(), lin(w, p + "mlp.gate_proj", h))
              .mul(lin(w, p + "mlp.up_proj", h)))
          : lin(w, p + "mlp.fc2", Activations.apply(c.hiddenAct(), lin(w, p + "mlp.fc1", h)));
      x = x.add(mlp);
    }
    Tensor out = lin(w, "visual.merger.mlp.2",
        torch.gelu(lin(w, "visual.merger.mlp.0", norm(c, w, "visual.merger.ln_q", x).view(-1, e * mm))));
    return qwen25 ? out.index_select(0, windowIndex.argsort()) : out;
  }

  private static Tensor rotPosEmb(VisionConfig c, long[][] grid) {
    int m = c.spatialMergeSize();
    List<long[]> pos = new ArrayList<>();
    long maxGrid = 0;
    for (long[] g : grid) {
      maxGrid = Math.max(maxGrid, Math.max(g[1], g[2]));
      for (int f = 0; f < g[0]; f++) {
        for (int a = 0; a < g[1] / m; a++) {
          for (int cc = 0; cc < g[2] / m; cc++) {
            for (int bb = 0; bb < m; bb++) {
              for (int d = 0; d < m; d++) {
                pos.add(new long[] {(long) a * m + bb, (long) cc * m + d});
              }
            }
          }
        }
      }
    }
    int dim = c.headDim() / 2;
    Tensor invFreq = torch.pow(new Scalar(10000.0),
        torch.arange(new Scalar(0), new Scalar(dim), new Scalar(2)).to(torch.ScalarType.Float)
            .div(new Scalar((double) dim))).reciprocal();
    Tensor table = torch.outer(torch.arange(new Scalar(maxGrid)).to(torch.ScalarType.Float), invFreq);
    Tensor hIdx = torch.tensor(pos.stream().mapToLong(v -> v[0]).toArray());
    Tensor wIdx = torch.tensor(pos.stream().mapToLong(v -> v[1]).toArray());
    return torch.cat(new TensorVector(table.index_select(0, hIdx), table.index_select(0, wIdx)), 1);
  }

  private static Tensor attention(VisionConfig c, Map<String, Tensor> w, String p, Tensor x, List<Long> cu,
      Tensor cos, Tensor sin) {
    long seq = x.size(0);
    Tensor qkv = lin(w, p + "qkv", x).reshape(seq, 3, c.numHeads(), -1).permute(1, 0, 2, 3);
    Tensor q = rotate(qkv.select(0, 0), cos, sin).transpose(0, 1);
    Tensor k = rotate(qkv.select(0, 1), cos, sin).transpose(0, 1);
    Tensor v = qkv.select(0, 2).transpose(0, 1);
    double scale = Math.pow(c.headDim(), -0.5);
    TensorVector outs = new TensorVector();
    for (int i = 0; i + 1 < cu.size(); i++) {
      long start = cu.get(i);
      long len = cu.get(i + 1) - start;
      Tensor qi = q.narrow(1, start, len);
      Tensor ki = k.narrow(1, start, len);
      Tensor vi = v.narrow(1, start, len);
      Tensor weights = qi.matmul(ki.transpose(1, 2)).mul(new Scalar(scale)).softmax(-1, new ScalarTypeOptional(torch.ScalarType.Float));
      outs.push_back(weights.matmul(vi).transpose(0, 1));
    }
    return lin(w, p + "proj", torch.cat(outs, 0).reshape(seq, -1));
  }

  private static Tensor rotate(Tensor x, Tensor cos, Tensor sin) {
    long half = x.size(-1) / 2;
    Tensor rotated = torch.cat(new TensorVector(x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)), -1);
    return x.mul(cos.unsqueeze(-2)).add(rotated.mul(sin.unsqueeze(-2)));
  }

  private static Tensor norm(VisionConfig c, Map<String, Tensor> w, String p, Tensor x) {
    if (c.family() == Family.QWEN2_VL) {
      return torch.layer_norm(x, new long[] {c.embedDim()}, new TensorOptional(w.get(p + ".weight")),
          new TensorOptional(w.get(p + ".bias")), 1e-6, false);
    }
    Tensor var = x.pow(new Scalar(2)).mean(new long[] {-1}, true, new ScalarTypeOptional());
    return w.get(p + ".weight").mul(x.mul(var.add(new Scalar(1e-6)).rsqrt()));
  }

  private static Tensor lin(Map<String, Tensor> w, String name, Tensor x) {
    return torch.linear(x, w.get(name + ".weight"), new TensorOptional(w.get(name + ".bias")));
  }

  private static boolean contains(int[] xs, int v) {
    for (int x : xs) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }
}
