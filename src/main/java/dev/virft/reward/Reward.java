package dev.virft.reward;

import java.util.Map;
import java.util.Optional;

/**
 * A verifiable reward: scores one decoded completion (special tokens already removed) against the
 * dataset row's {@code solution}, with the row's other columns available to rewards that need them.
 *
 * <p>Implementations must be thread-safe and must not throw on any completion: a completion that
 * cannot be parsed scores the reward's "wrong" value, as the original's {@code try/except} does.
 *
 * <p>Users add rewards without touching this project: implement this interface with a public no-arg
 * constructor and list the class in {@code META-INF/services/dev.virft.reward.Reward} of a jar on the
 * class path; {@link RewardRegistry} discovers it with {@link java.util.ServiceLoader} and
 * {@code --reward_funcs your_name} selects it.
 */
public interface Reward {
  /** The name {@code --reward_funcs} selects it by: letters, digits, '_' , '-' and '.'. */
  String name();

  /**
   * The reward of one completion.
   *
   * @param completion the decoded completion
   * @param solution the row's {@code solution} column
   * @param columns the row's other columns (read-only), e.g. {@code problem}, image size
   */
  double score(String completion, String solution, Map<String, ?> columns);

  /** Lowest value {@link #score} returns (may be {@code -Infinity} for unbounded faithful quirks). */
  double minScore();

  /** Highest value {@link #score} returns. */
  double maxScore();

  /**
   * The guarded variant ({@code name@guarded}) that closes known reward exploits, if this reward has
   * one.
   */
  default Optional<Reward> guarded() {
    return Optional.empty();
  }

  /** One line for {@code --help} style listings. */
  default String description() {
    return "";
  }
}
