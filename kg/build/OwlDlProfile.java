// Check an ontology document against the OWL 2 DL profile with the OWL API.
//
//   java -cp <OWL API jars> OwlDlProfile.java ONTOLOGY_FILE [IMPORT_IRI=FILE ...]
//
// Each IMPORT_IRI=FILE pair maps an owl:imports IRI to a local file (what the release's
// catalog-v001.xml says), so nothing is fetched from the network. An import that cannot be
// resolved is an error. Output, one line each, tab-separated:
//   FORMAT      <document format the OWL API recognised>
//   VIOLATION   <violation kind>  <the OWL API's description>
//   UNPARSED    <triple the OWL API could not turn into an axiom>
// Exit status: 0 in the profile, 1 violations or unparsed triples, 2 the ontology did not load.
import java.io.File;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.RDFDocumentFormat;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.util.SimpleIRIMapper;

public class OwlDlProfile {
    private static String oneLine(Object o) {
        return String.valueOf(o).replaceAll("\\s+", " ").trim();
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: OwlDlProfile ONTOLOGY_FILE [IMPORT_IRI=FILE ...]");
            System.exit(2);
        }
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            IRI ontologyIri = IRI.create(args[i].substring(0, eq));
            IRI document = IRI.create(new File(args[i].substring(eq + 1)).getAbsoluteFile());
            manager.getIRIMappers().add(new SimpleIRIMapper(ontologyIri, document));
        }
        OWLOntologyLoaderConfiguration config = new OWLOntologyLoaderConfiguration()
            .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.THROW_EXCEPTION);
        OWLOntology ontology;
        try {
            ontology = manager.loadOntologyFromOntologyDocument(
                new FileDocumentSource(new File(args[0])), config);
        } catch (Throwable e) {
            System.out.println("ERROR\t" + oneLine(e.getMessage()));
            System.exit(2);
            return;
        }
        boolean clean = true;
        for (OWLOntology o : ontology.getImportsClosure()) {
            OWLDocumentFormat format = o.getFormat();
            System.out.println("FORMAT\t" + oneLine(o.getOntologyID()) + "\t" + format);
            if (format instanceof RDFDocumentFormat) {
                var meta = ((RDFDocumentFormat) format).getOntologyLoaderMetaData();
                if (meta.isPresent()) {
                    long unparsed = meta.get().getUnparsedTriples()
                        .peek(triple -> System.out.println("UNPARSED\t" + oneLine(triple))).count();
                    clean = clean && unparsed == 0;
                }
            }
        }
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        for (OWLProfileViolation v : report.getViolations()) {
            System.out.println("VIOLATION\t" + v.getClass().getSimpleName() + "\t" + oneLine(v));
            clean = false;
        }
        System.exit(clean ? 0 : 1);
    }
}
