import Foundation

/// Prices in US dollars, per model: per image, and per 1,000 tokens in and out.
struct Prices: Sendable, Equatable {
    struct Price: Sendable, Equatable {
        var perImage: Double?
        var per1kInput: Double?
        var per1kOutput: Double?
        /// Batch API prices; nil means half the normal price (OpenAI's batch discount).
        var batchPer1kInput: Double?
        var batchPer1kOutput: Double?

        init(perImage: Double? = nil, per1kInput: Double? = nil, per1kOutput: Double? = nil) {
            self.perImage = perImage
            self.per1kInput = per1kInput
            self.per1kOutput = per1kOutput
        }
    }

    var byModel: [String: Price]

    init(byModel: [String: Price] = [:]) { self.byModel = byModel }

    func image(_ model: String) -> Double { byModel[model]?.perImage ?? 0 }

    func text(_ model: String, tokensIn: Int?, tokensOut: Int?) -> Double {
        guard let price = byModel[model] else { return 0 }
        return Double(tokensIn ?? 0) / 1000 * (price.per1kInput ?? 0) + Double(tokensOut ?? 0) / 1000 * (price.per1kOutput ?? 0)
    }
}

extension Prices {
    /// A call answered through a provider's Batch API: `batch_input_per_1k` / `batch_output_per_1k`
    /// when set, else half the normal price.
    func batchText(_ model: String, tokensIn: Int?, tokensOut: Int?) -> Double {
        guard let price = byModel[model] else { return 0 }
        let input = price.batchPer1kInput ?? (price.per1kInput ?? 0) / 2
        let output = price.batchPer1kOutput ?? (price.per1kOutput ?? 0) / 2
        return Double(tokensIn ?? 0) / 1000 * input + Double(tokensOut ?? 0) / 1000 * output
    }
}

/// Money spent so far in a run, and the cap that stops new work.
actor CostLedger {
    private(set) var spentUSD = 0.0
    private var reservedUSD = 0.0
    let capUSD: Double?
    private(set) var capReached = false

    init(capUSD: Double?) { self.capUSD = capUSD }

    /// Reserves `estimate` for one piece of work; false (and the cap is marked reached) when it
    /// would pass the cap. What is already in flight always finishes.
    func reserve(_ estimate: Double) -> Bool {
        if let capUSD, spentUSD + reservedUSD + estimate > capUSD + 1e-9 {
            capReached = true
            return false
        }
        reservedUSD += estimate
        return true
    }

    func settle(reserved: Double, actual: Double) {
        reservedUSD -= reserved
        spentUSD += actual
    }
}
