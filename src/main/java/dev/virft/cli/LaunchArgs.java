package dev.virft.cli;

import dev.virft.tensor.Device;
import dev.virft.train.Distributed;
import dev.virft.train.Launcher;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * torchrun's launch options, same names and meaning. With {@code --nproc_per_node} the command starts
 * its worker processes itself ({@link Launcher}); without it, a process started by an external launcher
 * (torchrun-style scripts, SLURM srun, Kubernetes) joins the group that WORLD_SIZE, RANK, LOCAL_RANK,
 * MASTER_ADDR and MASTER_PORT describe, and with none of them set it is the one process of the run.
 */
public final class LaunchArgs {
  @Option(names = {"--nproc_per_node", "--nproc-per-node"},
      description = "Start this many worker processes on this node (one per GPU; torchrun's flag).")
  public Integer nprocPerNode;

  @Option(names = "--nnodes", defaultValue = "1", description = "Number of nodes (with --nproc_per_node).")
  public int nnodes;

  @Option(names = {"--node_rank", "--node-rank"}, defaultValue = "0", description = "This node's index, 0..nnodes-1.")
  public int nodeRank;

  @Option(names = {"--master_addr", "--master-addr"}, defaultValue = "127.0.0.1",
      description = "Address of rank 0's node (the TCPStore rendezvous).")
  public String masterAddr;

  @Option(names = {"--master_port", "--master-port"}, defaultValue = "29500", description = "Rendezvous port.")
  public int masterPort;

  @Option(names = {"--log_dir", "--log-dir"},
      description = "With --nproc_per_node: each worker's output goes to LOG_DIR/rank-R.log instead of the console.")
  public java.nio.file.Path logDir;

  private static final Set<String> WITH_VALUE =
      Set.of("--log_dir", "--log-dir", "--nproc_per_node", "--nproc-per-node", "--nnodes", "--node_rank", "--node-rank", "--master_addr",
          "--master-addr", "--master_port", "--master-port");

  /** True when this process is the launcher rather than a worker. */
  public boolean launches() {
    return nprocPerNode != null;
  }

  /** Starts the workers with the command's own arguments minus these options; returns the exit code. */
  public int launch(CommandSpec spec, PrintStream err) {
    Launcher.Plan plan = new Launcher.Plan(nprocPerNode, nnodes, nodeRank, masterAddr, masterPort, logDir);
    List<String> args = new ArrayList<>();
    List<String> original = spec.root().commandLine().getParseResult().originalArgs();
    for (int i = 0; i < original.size(); i++) {
      String a = original.get(i);
      int eq = a.indexOf('=');
      String name = eq < 0 ? a : a.substring(0, eq);
      if (WITH_VALUE.contains(name)) {
        if (eq < 0) {
          i++;
        }
        continue;
      }
      args.add(a);
    }
    return Launcher.run(plan, args, err);
  }

  /** This process's group: torchrun's environment, or one process. */
  public Distributed joinGroup(Device device) {
    return Distributed.fromEnvironment(System.getenv(), device);
  }
}
