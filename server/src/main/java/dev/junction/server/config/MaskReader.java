package dev.junction.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.junction.server.masking.Masking;
import java.util.ArrayList;
import java.util.List;

/** Reads an integration's {@code mask = ["/customer/email", ...]}: each a JSON pointer, {@code *} for every element. */
final class MaskReader {
    private MaskReader() {}

    /** The masking, {@link Masking#NONE} when there is no {@code mask}, or null after adding the problems. */
    static Masking read(Config integration, String path, Problems problems) {
        if (!integration.hasPath("mask")) {
            return Masking.NONE;
        }
        String at = path + ".mask";
        if (integration.getValue("mask").valueType() != ConfigValueType.LIST) {
            problems.at(integration, "mask", at, "must be a list of JSON pointers such as [\"/customer/email\", \"/lines/*/name\"]");
            return null;
        }
        List<String> pointers = new ArrayList<>();
        boolean ok = true;
        List<? extends ConfigValue> list = integration.getList("mask");
        for (int i = 0; i < list.size(); i++) {
            ConfigValue value = list.get(i);
            String problem = value.valueType() != ConfigValueType.STRING ? "must be a JSON pointer string such as \"/customer/email\""
                    : Masking.problem((String) value.unwrapped());
            if (problem != null) {
                problems.at(value, at + "." + i, problem);
                ok = false;
            } else {
                pointers.add((String) value.unwrapped());
            }
        }
        return ok ? Masking.of(pointers) : null;
    }
}
