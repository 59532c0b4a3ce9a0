package dev.virft.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {
  @TempDir Path dir;

  static final List<Map<String, Object>> MSG = List.of(Map.of("role", "user", "content", "hi"));

  @Test
  void jinjaFileWinsOverTokenizerConfigAndSpecialTokensAreDefined() throws Exception {
    Files.writeString(dir.resolve("tokenizer_config.json"),
        "{\"eos_token\": \"<E>\", \"chat_template\": \"from-config\"}");
    assertEquals("from-config", ChatTemplate.fromCheckpoint(dir).render(MSG, false));
    // jinja2 semantics: trim_blocks eats the newline after a block tag, lstrip_blocks the indent
    // before it, and one trailing newline of the file is dropped.
    Files.writeString(dir.resolve("chat_template.jinja"),
        "{% for m in messages %}\n  {% if loop.first %}\n[{{ m.role }}:{{ m['content'] }}]{{ eos_token }}\n  {% endif %}\n"
            + "{% endfor %}\n{% if add_generation_prompt %}GEN{% endif %}\n");
    ChatTemplate t = ChatTemplate.fromCheckpoint(dir);
    assertEquals("[user:hi]<E>\n", t.render(MSG, false));
    assertEquals("[user:hi]<E>\nGEN", t.render(MSG, true));
  }

  @Test
  void raiseExceptionBecomesAClearError() throws Exception {
    Files.writeString(dir.resolve("chat_template.jinja"),
        "{% if messages[0]['role'] != 'system' %}{{ raise_exception('system message required') }}{% endif %}ok");
    VirftException e = assertThrows(VirftException.class, () -> ChatTemplate.fromCheckpoint(dir).render(MSG, true));
    assertTrue(e.getMessage().contains("system message required"), e.getMessage());
    assertTrue(e.getMessage().contains("chat_template.jinja"), e.getMessage());
  }

  @Test
  void missingTemplateNamesTheDirectory() {
    VirftException e = assertThrows(VirftException.class, () -> ChatTemplate.fromCheckpoint(dir));
    assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
  }
}
