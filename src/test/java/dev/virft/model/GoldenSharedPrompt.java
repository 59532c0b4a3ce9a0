package dev.virft.model;

import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import dev.virft.tensor.Tensors;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.bytedeco.pytorch.Tensor;

/** The golden fixture's second prompt as one row with its own image embeddings, for shared-prompt passes. */
record GoldenSharedPrompt(Tensor ids, Tensor mask, Tensor imageEmbeds, long[][] grid, long[] gridRow) {
  static final Path DIR = Paths.get("src/test/resources/golden/qwen2_vl");

  static GoldenSharedPrompt load() {
    StateDict gold = Safetensors.read(DIR.resolve("golden.safetensors"));
    Tensor ids = gold.get("input_ids").narrow(0, 1, 1).contiguous();
    Tensor mask = gold.get("attention_mask").narrow(0, 1, 1).contiguous();
    long[][] grids = Tensors.toLongs2d(gold.get("proc_slow.image_grid_thw"));
    long tokens0 = grids[0][0] * grids[0][1] * grids[0][2] / 4;
    Tensor vis = gold.get("vision_embeds");
    Tensor mine = vis.narrow(0, tokens0, vis.size(0) - tokens0).contiguous();
    return new GoldenSharedPrompt(ids, mask, mine, new long[][] {grids[1]}, grids[1]);
  }
}
