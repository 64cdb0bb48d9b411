import Foundation
import NumpyIO
import Testing
import TestSupport

@Suite struct ProductsTests {
    @Test func numpyReadsOurNpyFiles() throws {
        let folder = TestSupport.temporaryFolder()
        let url = folder.appendingPathComponent("x.npy")
        try NpyFile.write([Float(1), 2, 3, 4, 5, 6], shape: [2, 3], to: url)
        let result = try TestSupport.python("import numpy as np, sys; a = np.load(sys.argv[1], mmap_mode='r'); print(a.dtype, a.shape, float(a.sum()))", [url.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "float32 (2, 3) 21.0")
    }

    @Test func stageExecutablesAreBuilt() {
        for name in ["pipeline", "fetch", "split", "train", "analyze"] {
            #expect(FileManager.default.isExecutableFile(atPath: TestSupport.productsFolder.appendingPathComponent(name).path), "\(name) missing in \(TestSupport.productsFolder.path)")
        }
    }
}
