package dev.virft.train;

import dev.virft.tensor.Device;
import dev.virft.tensor.Tensors;
import dev.virft.util.VirftException;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.nccl.ProcessGroupNCCL;

/**
 * The process group of a run: rank, world size and libtorch's c10d collectives ({@code ProcessGroupGloo}
 * on the CPU, {@code ProcessGroupNCCL} on CUDA) after a {@code TCPStore} rendezvous at
 * MASTER_ADDR:MASTER_PORT, as {@code torch.distributed.init_process_group("env://")} does. One process
 * ({@link #SINGLE}) has no group and every collective is the identity, so a one-process run computes
 * exactly what it computed before distribution existed.
 */
public final class Distributed implements AutoCloseable {
  public static final Distributed SINGLE = new Distributed(0, 1, 0, null, null, false);
  /** How long a collective or the rendezvous waits for a peer before failing (seconds). */
  static final long DEFAULT_TIMEOUT_S = 300;

  private final int rank;
  private final int world;
  private final int localRank;
  private final TCPStore store;
  private final Backend group;
  private final boolean cuda;

  private Distributed(int rank, int world, int localRank, TCPStore store, Backend group, boolean cuda) {
    this.rank = rank;
    this.world = world;
    this.localRank = localRank;
    this.store = store;
    this.group = group;
    this.cuda = cuda;
  }

  /**
   * The group described by torchrun's environment (WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR,
   * MASTER_PORT); {@link #SINGLE} when WORLD_SIZE is unset or 1.
   */
  public static Distributed fromEnvironment(Map<String, String> env, Device device) {
    String ws = env.get("WORLD_SIZE");
    if (ws == null || ws.isBlank() || ws.trim().equals("1")) {
      return SINGLE;
    }
    int world = intVar(env, "WORLD_SIZE", null, 1);
    int rank = intVar(env, "RANK", null, 0);
    if (rank >= world) {
      throw new VirftException("environment variable RANK: expected 0.." + (world - 1) + ", got " + rank);
    }
    int localRank = intVar(env, "LOCAL_RANK", Integer.toString(rank), 0);
    String addr = env.getOrDefault("MASTER_ADDR", "127.0.0.1");
    int port = intVar(env, "MASTER_PORT", "29500", 1);
    if (port > 65535) {
      throw new VirftException("environment variable MASTER_PORT: expected a TCP port, got " + port);
    }
    long timeout = intVar(env, "VIRFT_DIST_TIMEOUT", Long.toString(DEFAULT_TIMEOUT_S), 1);
    String visible = env.get("CUDA_VISIBLE_DEVICES");
    if (device == Device.CUDA && localRank > 0 && (visible == null || visible.contains(","))) {
      // virft computes on cuda:0; LOCAL_RANK selects the GPU through the process's visible devices.
      throw new VirftException("environment variable LOCAL_RANK=" + localRank + ": this process sees "
          + (visible == null ? "every GPU" : "GPUs " + visible) + " and would share cuda:0 with rank 0; give each "
          + "process one GPU (CUDA_VISIBLE_DEVICES=$LOCAL_RANK, srun --gpus-per-task=1, or virft --nproc_per_node)");
    }
    return connect(rank, world, localRank, addr, port, device, timeout * 1000, env.get("GLOO_SOCKET_IFNAME"));
  }

  private static int intVar(Map<String, String> env, String name, String dflt, int min) {
    String v = env.getOrDefault(name, dflt);
    if (v == null) {
      throw new VirftException("environment variable " + name + ": expected an integer (WORLD_SIZE is set), got nothing");
    }
    try {
      int i = Integer.parseInt(v.trim());
      if (i < min) {
        throw new NumberFormatException();
      }
      return i;
    } catch (NumberFormatException e) {
      throw new VirftException("environment variable " + name + ": expected an integer >= " + min + ", got '" + v + "'");
    }
  }

  private static Distributed connect(
      int rank, int world, int localRank, String addr, int port, Device device, long timeoutMs, String ifname) {
    TCPStore store;
    try {
      TCPStoreOptions so = new TCPStoreOptions();
      so.port((short) port);
      so.isServer(rank == 0);
      so.numWorkers(new SizeTPointer(1).put(world));
      so.waitWorkers(true);
      so.timeout(new Milliseconds(timeoutMs));
      store = new TCPStore(addr, so);
    } catch (RuntimeException e) {
      throw new VirftException(String.format(Locale.ROOT,
          "rank %d: rendezvous at MASTER_ADDR:MASTER_PORT %s:%d failed within %d s: %s", rank, addr, port,
          timeoutMs / 1000, firstLine(e)), e);
    }
    Backend group;
    boolean cuda = device == Device.CUDA;
    try {
      if (cuda) {
        group = new ProcessGroupNCCL(store, rank, world, ProcessGroupNCCL.Options.create());
      } else {
        ProcessGroupGloo.Options po = ProcessGroupGloo.Options.create(new Milliseconds(timeoutMs));
        po.devices(new GlooDeviceVector(glooDevice(addr, ifname)));
        group = new ProcessGroupGloo(store, rank, world, po);
      }
    } catch (RuntimeException e) {
      throw new VirftException(String.format(Locale.ROOT, "rank %d: cannot set up the %s process group: %s",
          rank, cuda ? "NCCL" : "Gloo", firstLine(e)), e);
    }
    return new Distributed(rank, world, localRank, store, group, cuda);
  }

  /** Which interface Gloo binds: loopback for a loopback master, GLOO_SOCKET_IFNAME, else the hostname's. */
  private static org.bytedeco.pytorch.gloo.Device glooDevice(String addr, String ifname) {
    if (ifname != null && !ifname.isBlank()) {
      return ProcessGroupGloo.createDeviceForInterface(ifname.split(",")[0]);
    }
    if (addr.startsWith("127.") || addr.equals("localhost") || addr.equals("::1")) {
      return ProcessGroupGloo.createDeviceForHostname("127.0.0.1");
    }
    return ProcessGroupGloo.createDefaultDevice();
  }

  public int rank() {
    return rank;
  }

  public int worldSize() {
    return world;
  }

  public int localRank() {
    return localRank;
  }

  public boolean isMain() {
    return rank == 0;
  }

  public boolean isDistributed() {
    return world > 1;
  }

  /** In-place sum over ranks of a tensor (on the CPU for Gloo, on the GPU for NCCL). */
  public void allReduceSum(Tensor t) {
    if (group == null) {
      return;
    }
    run("all_reduce", () -> group.allreduce(new TensorVector(t)));
  }

  /** {@code out[k] = sum over ranks of in[rank * k .. ]}: reduce-scatter of a tensor {@code world x out} long. */
  public void reduceScatterSum(Tensor out, Tensor in) {
    if (group == null) {
      out.copy_(in);
      return;
    }
    run("reduce_scatter", () -> group._reduce_scatter_base(out, in));
  }

  /** Concatenation over ranks of each rank's {@code in} into {@code out} (world x in long). */
  public void allGather(Tensor out, Tensor in) {
    if (group == null) {
      out.copy_(in);
      return;
    }
    run("all_gather", () -> group._allgather_base(out, in));
  }

  public void barrier() {
    if (group == null) {
      return;
    }
    // A one-element all-reduce, not Backend.barrier(): NCCL's barrier needs a device guess.
    allReduceSum(onDevice(torch.zeros(1)));
  }

  /** Sum over ranks of host values (float64 on the wire). */
  public double[] sum(double... local) {
    if (group == null || local.length == 0) {
      return local.clone();
    }
    Tensor t = onDevice(Tensor.create(local, local.length).clone());
    allReduceSum(t);
    return toHost(t);
  }

  public double sum(double local) {
    return sum(new double[] {local})[0];
  }

  /** Every rank's values, concatenated in rank order (all ranks pass arrays of the same length). */
  public double[] gather(double[] local) {
    if (group == null) {
      return local.clone();
    }
    Tensor in = onDevice(Tensor.create(local, local.length).clone());
    Tensor out = onDevice(torch.zeros((long) local.length * world).to(torch.ScalarType.Double));
    allGather(out, in);
    return toHost(out);
  }

  private Tensor onDevice(Tensor t) {
    return cuda ? t.to(Device.CUDA.torchDevice(), t.scalar_type()) : t;
  }

  private static double[] toHost(Tensor t) {
    return dev.virft.tensor.Tensors.toDoubles(t);
  }

  private void run(String op, java.util.function.Supplier<Work> call) {
    try {
      Work w = call.get();
      w._wait();
    } catch (RuntimeException e) {
      throw new VirftException(String.format(Locale.ROOT,
          "rank %d of %d: %s failed (a peer process probably died or stalled; see its log): %s",
          rank, world, op, firstLine(e)), e);
    }
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  @Override
  public void close() {
    // The group and store are freed with the process; shutting Gloo down explicitly while a peer may
    // still be in a collective only turns a clean exit into an error on that peer.
  }
}
