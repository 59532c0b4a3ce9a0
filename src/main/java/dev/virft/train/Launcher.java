package dev.virft.train;

import dev.virft.util.VirftException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code --nproc_per_node N}: starts this node's N worker processes, as torchrun does: the same java
 * command, JVM options and class path, running the same virft command without the launcher options,
 * with torchrun's environment (WORLD_SIZE, RANK, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
 * MASTER_PORT; OMP_NUM_THREADS = cores / N unless set, so the workers do not oversubscribe the CPU).
 *
 * <p>The launcher watches its workers: when one exits with an error or is killed, it names that rank
 * in one line, gives the others a grace period to stop on their own (their collectives fail once a
 * peer is gone) and then terminates them, so a dead worker never leaves the run hanging.
 */
public final class Launcher {
  /** Where the workers' rendezvous is and how many there are. */
  public record Plan(
      int nprocPerNode, int nnodes, int nodeRank, String masterAddr, int masterPort, java.nio.file.Path logDir) {
    public Plan {
      if (nprocPerNode < 1) {
        throw new VirftException("--nproc_per_node: expected at least 1, got " + nprocPerNode);
      }
      if (nnodes < 1) {
        throw new VirftException("--nnodes: expected at least 1, got " + nnodes);
      }
      if (nodeRank < 0 || nodeRank >= nnodes) {
        throw new VirftException("--node_rank: expected 0.." + (nnodes - 1) + ", got " + nodeRank);
      }
      if (masterPort < 1 || masterPort > 65535) {
        throw new VirftException("--master_port: expected a TCP port (1..65535), got " + masterPort);
      }
    }

    public int worldSize() {
      return nprocPerNode * nnodes;
    }
  }

  /** Seconds the other workers get to stop by themselves after one died. */
  static final long GRACE_S = 20;

  private Launcher() {}

  /** Runs the workers of this node to the end; returns 0 when all succeeded, 1 otherwise. */
  public static int run(Plan plan, List<String> workerArgs, PrintStream err) {
    List<String> base = new ArrayList<>();
    base.add(ProcessHandle.current().info().command().orElse("java"));
    base.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    base.add("-cp");
    base.add(System.getProperty("java.class.path"));
    base.add("dev.virft.cli.Main");
    base.addAll(workerArgs);
    int cores = Runtime.getRuntime().availableProcessors();
    List<Process> procs = new ArrayList<>();
    LinkedBlockingQueue<Integer> exited = new LinkedBlockingQueue<>();
    // A launcher stopped by Ctrl-C or a signal takes its workers along.
    Thread hook = new Thread(() -> procs.forEach(Process::destroy));
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      for (int local = 0; local < plan.nprocPerNode(); local++) {
        int rank = plan.nodeRank() * plan.nprocPerNode() + local;
        ProcessBuilder pb = new ProcessBuilder(base).inheritIO();
        if (plan.logDir() != null) {
          java.nio.file.Files.createDirectories(plan.logDir());
          java.io.File f = plan.logDir().resolve("rank-" + rank + ".log").toFile();
          pb.redirectErrorStream(true).redirectOutput(f);
        }
        Map<String, String> env = pb.environment();
        env.put("WORLD_SIZE", Integer.toString(plan.worldSize()));
        env.put("RANK", Integer.toString(rank));
        env.put("LOCAL_RANK", Integer.toString(local));
        env.put("LOCAL_WORLD_SIZE", Integer.toString(plan.nprocPerNode()));
        env.put("MASTER_ADDR", plan.masterAddr());
        env.put("MASTER_PORT", Integer.toString(plan.masterPort()));
        env.putIfAbsent("OMP_NUM_THREADS", Integer.toString(Math.max(1, cores / plan.nprocPerNode())));
        String visible = System.getenv("CUDA_VISIBLE_DEVICES");
        if (visible == null) {
          env.put("CUDA_VISIBLE_DEVICES", Integer.toString(local));
        } else {
          String[] ids = visible.split(",");
          env.put("CUDA_VISIBLE_DEVICES", ids[local % ids.length].trim());
        }
        Process p = pb.start();
        procs.add(p);
        final int r = local;
        p.onExit().thenRun(() -> exited.add(r));
        err.printf(Locale.ROOT, "virft: started rank %d of %d (pid %d)%n", rank, plan.worldSize(), p.pid());
      }
      int done = 0;
      while (done < procs.size()) {
        Integer local = exited.poll(1, TimeUnit.SECONDS);
        if (local == null) {
          continue;
        }
        done++;
        int code = procs.get(local).exitValue();
        if (code != 0) {
          int culprit = culprit(procs, local);
          Process dead = procs.get(culprit);
          int rank = plan.nodeRank() * plan.nprocPerNode() + culprit;
          err.printf(Locale.ROOT, "error: worker rank %d (pid %d) %s; stopping the other workers%n",
              rank, dead.pid(), describe(dead.exitValue()));
          stopAll(procs);
          return 1;
        }
      }
      return 0;
    } catch (java.io.IOException e) {
      stopAll(procs);
      throw new VirftException("cannot start worker process " + base.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopAll(procs);
      return 1;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook runs
      }
    }
  }

  /**
   * The worker to blame: one killed by a signal if there is one (the others then fail in their
   * collectives with exit code 2), else the first that failed.
   */
  private static int culprit(List<Process> procs, int first) {
    for (int i = 0; i < procs.size(); i++) {
      Process p = procs.get(i);
      if (!p.isAlive() && p.exitValue() > 128) {
        return i;
      }
    }
    return first;
  }

  private static String describe(int code) {
    return code > 128
        ? "was killed by signal " + (code - 128) + " (exit code " + code + ")"
        : "exited with code " + code;
  }

  private static void stopAll(List<Process> procs) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GRACE_S);
    for (Process p : procs) {
      try {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          p.waitFor(left, TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Process p : procs) {
      if (p.isAlive()) {
        p.destroy();
      }
    }
    for (Process p : procs) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}
