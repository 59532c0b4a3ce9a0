package dev.virft.train;

import dev.virft.tensor.Safetensors;
import dev.virft.util.AtomicFiles;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;

/**
 * Checkpoints of a (possibly distributed) run, on top of {@link Checkpoints}: rank 0 writes the model
 * in the hub layout and the trainer state; the optimizer state is {@code optimizer.safetensors}
 * (written by rank 0; every rank holds the same one) or, with a sharded optimizer, one
 * {@code optimizer-rank-R-of-N.safetensors} per rank. Shards are written to a staging directory first
 * and moved into the checkpoint's temporary directory before it is renamed into place, so a
 * checkpoint-N/ directory is complete or absent.
 */
public final class TrainCheckpoint {
  private static final String SHARD_PREFIX = Checkpoints.OPTIMIZER_SHARD_PREFIX;

  /** What a checkpoint holds besides the optimizer, and the report written beside it. */
  public record Saving(
      TrainableModel model,
      Path baseModelDir,
      long[] stopTokenIds,
      long padTokenId,
      boolean saveOnlyModel,
      String reportTitle,
      List<String> reportKeys) {}

  private TrainCheckpoint() {}

  static String shardName(int rank, int world) {
    return String.format("%s%05d-of-%05d.safetensors", SHARD_PREFIX, rank, world);
  }

  public static void write(Path outputDir, TrainerState st, Saving s, TrainOptimizer opt, Distributed dist) {
    if (opt instanceof ShardedAdamW sharded && !s.saveOnlyModel()) {
      Path staging = outputDir.resolve(".checkpoint-" + st.globalStep + ".optimizer-shards");
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("optimizer", "adamw-zero");
      meta.put("step", Long.toString(sharded.stepCount()));
      meta.put("world_size", Integer.toString(dist.worldSize()));
      meta.put("rank", Integer.toString(dist.rank()));
      meta.put("layout", sharded.layout());
      Safetensors.write(staging.resolve(shardName(dist.rank(), dist.worldSize())), sharded.stateTensors(), meta);
      dist.barrier();
      if (dist.isMain()) {
        Checkpoints.write(outputDir, st, new WithShards(s.model(), staging), s.baseModelDir(), null,
            s.stopTokenIds(), s.padTokenId());
        delete(staging);
        report(outputDir, st, s);
      }
    } else if (dist.isMain()) {
      dev.virft.train.AdamW whole = s.saveOnlyModel() ? null : ((ReplicatedAdamW) opt).adamw();
      Checkpoints.write(outputDir, st, s.model(), s.baseModelDir(), whole, s.stopTokenIds(), s.padTokenId());
      report(outputDir, st, s);
    }
    dist.barrier();
  }

  private static void report(Path outputDir, TrainerState st, Saving s) {
    HtmlReport.write(outputDir, s.reportTitle(), st.logHistory, s.reportKeys());
  }

  /** Restores the optimizer state of {@code checkpoint} into {@code opt}, refusing a layout it cannot use. */
  public static void load(Path checkpoint, TrainOptimizer opt, long stepCount, Distributed dist) {
    List<Path> shards = shards(checkpoint);
    Path full = checkpoint.resolve(Checkpoints.OPTIMIZER_FILE);
    if (opt instanceof ShardedAdamW sharded) {
      Path mine = checkpoint.resolve(shardName(dist.rank(), dist.worldSize()));
      if (Files.isRegularFile(mine)) {
        Map<String, String> meta = Safetensors.readHeader(mine).metadata();
        if (meta == null || !sharded.layout().equals(meta.get("layout"))) {
          throw new VirftException(mine + ": metadata 'layout': expected " + sharded.layout() + ", got "
              + (meta == null ? "none" : meta.get("layout")) + " (trained parameters or bucket size changed)");
        }
        sharded.loadShard(Safetensors.read(mine).asMap(), stepCount, mine.toString());
      } else if (!shards.isEmpty()) {
        throw refused(checkpoint, shards, dist);
      } else if (Files.isRegularFile(full)) {
        sharded.loadFull(Safetensors.read(full).asMap(), stepCount, full.toString());
      } else {
        throw new VirftException(checkpoint + ": no optimizer state (" + Checkpoints.OPTIMIZER_FILE + " or "
            + shardName(dist.rank(), dist.worldSize()) + ")");
      }
    } else {
      ReplicatedAdamW r = (ReplicatedAdamW) opt;
      if (!Files.isRegularFile(full) && !shards.isEmpty()) {
        throw new VirftException(checkpoint + ": optimizer state is sharded over " + worldOf(shards)
            + " ranks (ZeRO); resume with the same --deepspeed stage and " + worldOf(shards) + " processes");
      }
      Checkpoints.loadOptimizer(checkpoint, r.adamw(), stepCount);
    }
  }

  private static VirftException refused(Path checkpoint, List<Path> shards, Distributed dist) {
    return new VirftException(checkpoint + ": optimizer state is sharded over " + worldOf(shards)
        + " ranks, this run has " + dist.worldSize() + "; resume with " + worldOf(shards)
        + " processes (--nproc_per_node x --nnodes), or from a checkpoint with " + Checkpoints.OPTIMIZER_FILE);
  }

  private static String worldOf(List<Path> shards) {
    String n = shards.get(0).getFileName().toString();
    int of = n.indexOf("-of-");
    return of < 0 ? "?" : Integer.toString(Integer.parseInt(n.substring(of + 4, of + 9)));
  }

  static List<Path> shards(Path checkpoint) {
    if (!Files.isDirectory(checkpoint)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(checkpoint)) {
      return s.filter(p -> p.getFileName().toString().startsWith(SHARD_PREFIX)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code --resume_from_checkpoint}: as {@link Checkpoints#resolve}, but a checkpoint whose optimizer
   * state is a set of rank shards counts as resumable.
   */
  public static Path resolve(String arg, Path outputDir, String trainer, PrintStream log) {
    return Checkpoints.resolve(arg, outputDir, trainer, log);
  }

  private static void delete(Path dir) {
    try {
      AtomicFiles.deleteRecursively(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The model as {@link Checkpoints#write} sees it: saving also moves the ranks' optimizer shards in. */
  private record WithShards(TrainableModel model, Path staging) implements TrainableModel {
    @Override
    public void save(Path dir) {
      model.save(dir);
      try (Stream<Path> s = Files.list(staging)) {
        for (Path f : s.toList()) {
          if (f.getFileName().toString().startsWith(SHARD_PREFIX)) {
            Files.move(f, dir.resolve(f.getFileName()));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot move optimizer shards from " + staging + ": " + e.getMessage(), e);
      }
    }

    @Override
    public LinkedHashMap<String, Tensor> trainableParameters() {
      return model.trainableParameters();
    }
  }
}
