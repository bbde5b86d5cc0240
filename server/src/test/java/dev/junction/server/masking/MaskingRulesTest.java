package dev.junction.server.masking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.config.ConfigLoader;
import dev.junction.server.config.InvalidConfigException;
import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a mask hides: pointers with wildcards over arrays and objects, values found again elsewhere, and bad pointers. */
class MaskingRulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void wildcardsCoverEveryElementAndMemberAndAnAbsentFieldIsFine() throws Exception {
        Masking mask = Masking.of(List.of("/lines/*/name", "/contacts/*/phone", "/customer/fax", "/a~1b"));
        JsonNode doc = JSON.readTree("""
            {"lines":[{"name":"Lamp","sku":"L1"},{"sku":"L2"},{"name":"Bulb"}],
             "contacts":{"home":{"phone":"0301234"},"work":{"phone":"0409876"}},"a/b":"slash","customer":{}}""");
        JsonNode masked = mask.mask(doc);
        assertEquals("""
            {"lines":[{"name":"***","sku":"L1"},{"sku":"L2"},{"name":"***"}],"contacts":{"home":{"phone":"***"},"work":{"phone":"***"}},\
            "a/b":"***","customer":{}}""", masked.toString());
        assertEquals(Set.of("Lamp", "Bulb", "0301234", "0409876", "slash"), mask.secrets(doc));
        assertEquals("L1", doc.at("/lines/0/sku").asText(), "the original is not changed");
    }

    @Test
    void anElementOfASplitIsMaskedAsItWasInItsOriginal() throws Exception {
        Masking mask = Masking.of(List.of("/lines/*/name", "/customer/email", "/a/*/b/*/c"));
        assertEquals(List.of("/lines/*/name", "/customer/email", "/a/*/b/*/c", "/name", "/b/*/c", "/c"), mask.elements().pointers());
        assertEquals("{\"sku\":\"L1\",\"name\":\"***\"}", mask.elements().mask(JSON.readTree("{\"sku\":\"L1\",\"name\":\"Lamp\"}")).toString());
    }

    @Test
    void aRedactorHidesTheValuesWhereverTheyAppearAgain() throws Exception {
        Masking mask = Masking.of(List.of("/customer/email", "/customer/id"));
        Redactor redactor = mask.redactor("{\"customer\":{\"email\":\"ada@example.org\",\"id\":7}}".getBytes());
        assertEquals("{\"mail\":\"***\",\"note\":\"write to *** today\",\"n\":\"***\",\"m\":70}",
                redactor.json(JSON.readTree("{\"mail\":\"ada@example.org\",\"note\":\"write to ada@example.org today\",\"n\":7,\"m\":70}")).toString());
        assertEquals("7 items for ***", redactor.text("7 items for ada@example.org"), "a short value is hidden only where it is the whole value");
        assertEquals(null, mask.redactor("<xml/>".getBytes()).original(), "an original that is not JSON is withheld");
        assertTrue(!Redactor.NONE.active() && Masking.NONE.redactor("{}".getBytes()) == Redactor.NONE);
    }

    @Test
    void anInvalidPointerIsAConfigurationProblemWithItsPath() throws Exception {
        String config = TestConfig.webhookToHttp("http://127.0.0.1:1", "").replace("orders-to-erp {",
                "orders-to-erp {\n mask = [\"customer/email\", \"/customer/~2\", \"/ok\", 5]");
        Path file = TestConfig.write(dir, config);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file,
                ConnectorRegistry.load(getClass().getClassLoader()), Map.of()));
        String problems = String.join("\n", e.problems().stream().map(Object::toString).toList());
        assertTrue(problems.contains("junction.integrations.orders-to-erp.mask.0 = \"customer/email\": must be a JSON pointer"), problems);
        assertTrue(problems.contains("junction.integrations.orders-to-erp.mask.1 = \"/customer/~2\": '~' must be followed by 0"), problems);
        assertTrue(problems.contains("junction.integrations.orders-to-erp.mask.3 = 5: must be a JSON pointer string"), problems);
        assertEquals(3, e.problems().size(), problems);
    }
}
