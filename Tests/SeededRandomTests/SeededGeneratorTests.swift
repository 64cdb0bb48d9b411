import SeededRandom
import Testing

@Suite struct SeededGeneratorTests {
    @Test func seededGeneratorIsReproducibleAndUnbiased() {
        var a = SeededGenerator(seed: 42, stream: "sampler")
        var b = SeededGenerator(seed: 42, stream: "sampler")
        var c = SeededGenerator(seed: 42, stream: "dropout")
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
        var counts = [Int](repeating: 0, count: 3)
        var generator = SeededGenerator(seed: 1)
        for _ in 0..<30_000 { counts[generator.nextInt(below: 3)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 400 })
        var restored = SeededGenerator(snapshot: a.snapshot)!
        #expect(restored.next() == a.next())
    }
}
