package dev.virft.model.vision;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Attention restricted to disjoint segments of the token sequence (transformers' {@code cu_seqlens}).
 *
 * <p>Segments of equal length are stacked into one batch, so a layer makes one dense
 * {@code scaled_dot_product_attention} call per distinct length, with no mask (which keeps the fused
 * kernels usable on CUDA) and no padding. With one image, or windows that all have the same size, that is
 * a single call. A gather puts the tokens into segment order and a final gather puts them back.
 */
final class AttentionPlan {
  /** Segments of one length: {@code count} segments of {@code length} tokens, token ids concatenated. */
  record Group(int count, int length, long[] tokens) {}

  final List<Group> groups;
  /** Position of each token in the concatenation of the groups' token lists. */
  final long[] inverse;
  /** True when the groups' concatenation is already 0..n-1, so no gather is needed. */
  final boolean identity;

  private AttentionPlan(List<Group> groups, long[] inverse, boolean identity) {
    this.groups = groups;
    this.inverse = inverse;
    this.identity = identity;
  }

  /** @param segments disjoint token-id lists covering 0..numTokens-1 */
  static AttentionPlan of(List<long[]> segments, int numTokens) {
    Map<Integer, List<long[]>> byLength = new LinkedHashMap<>();
    for (long[] s : segments) {
      if (s.length > 0) {
        byLength.computeIfAbsent(s.length, k -> new ArrayList<>()).add(s);
      }
    }
    List<Group> groups = new ArrayList<>();
    long[] inverse = new long[numTokens];
    boolean identity = true;
    int pos = 0;
    for (Map.Entry<Integer, List<long[]>> e : byLength.entrySet()) {
      int len = e.getKey();
      List<long[]> list = e.getValue();
      long[] tokens = new long[len * list.size()];
      int k = 0;
      for (long[] s : list) {
        for (long tok : s) {
          tokens[k++] = tok;
          identity &= tok == pos;
          inverse[(int) tok] = pos++;
        }
      }
      groups.add(new Group(list.size(), len, tokens));
    }
    if (pos != numTokens) {
      throw new IllegalStateException("attention segments cover " + pos + " of " + numTokens + " tokens");
    }
    return new AttentionPlan(List.copyOf(groups), inverse, identity);
  }

  /** The plan's index tensors on one device, made once per forward and shared by all layers. */
  Bound bind(Device device) {
    List<Tensor> idx = new ArrayList<>();
    for (Group g : groups) {
      idx.add(identity ? null : torch.tensor(g.tokens).to(device, torch.ScalarType.Long));
    }
    Tensor inv = identity ? null : torch.tensor(inverse).to(device, torch.ScalarType.Long);
    return new Bound(this, idx, inv);
  }

  static final class Bound {
    private final AttentionPlan plan;
    private final List<Tensor> tokenIndex;
    private final Tensor inverseIndex;

    private Bound(AttentionPlan plan, List<Tensor> tokenIndex, Tensor inverseIndex) {
      this.plan = plan;
      this.tokenIndex = tokenIndex;
      this.inverseIndex = inverseIndex;
    }

    /**
     * Bidirectional attention within each segment.
     *
     * @param q queries {@code [seq, heads, headDim]}; k, v likewise
     * @return {@code [seq, heads * headDim]} in the original token order
     */
    Tensor attend(Tensor q, Tensor k, Tensor v) {
      long heads = q.size(1);
      long headDim = q.size(2);
      TensorVector outs = new TensorVector();
      long offset = 0;
      for (int gi = 0; gi < plan.groups.size(); gi++) {
        Group g = plan.groups.get(gi);
        Tensor idx = tokenIndex.get(gi);
        long n = (long) g.count * g.length;
        Tensor qg = stack(idx == null ? q.narrow(0, offset, n) : q.index_select(0, idx), g, heads, headDim);
        Tensor kg = stack(idx == null ? k.narrow(0, offset, n) : k.index_select(0, idx), g, heads, headDim);
        Tensor vg = stack(idx == null ? v.narrow(0, offset, n) : v.index_select(0, idx), g, heads, headDim);
        Tensor o = torch.scaled_dot_product_attention(
            qg, kg, vg, new TensorOptional(), 0.0, false, new DoubleOptional(), false);
        outs.push_back(o.transpose(1, 2).reshape(n, heads * headDim));
        offset += n;
      }
      Tensor out = outs.size() == 1 ? outs.get(0) : torch.cat(outs, 0);
      return inverseIndex == null ? out : out.index_select(0, inverseIndex);
    }

    private static Tensor stack(Tensor x, Group g, long heads, long headDim) {
      return x.view(g.count, g.length, heads, headDim).transpose(1, 2);
    }
  }
}
