import Foundation

/// Prices in US dollars, per model: per image, and per 1,000 tokens in and out.
public struct Prices: Sendable, Equatable {
    public struct Price: Sendable, Equatable {
        public var perImage: Double?
        public var per1kInput: Double?
        public var per1kOutput: Double?

        public init(perImage: Double? = nil, per1kInput: Double? = nil, per1kOutput: Double? = nil) {
            self.perImage = perImage
            self.per1kInput = per1kInput
            self.per1kOutput = per1kOutput
        }
    }

    public var byModel: [String: Price]

    public init(byModel: [String: Price] = [:]) { self.byModel = byModel }

    public func image(_ model: String) -> Double { byModel[model]?.perImage ?? 0 }

    public func text(_ model: String, tokensIn: Int?, tokensOut: Int?) -> Double {
        guard let price = byModel[model] else { return 0 }
        return Double(tokensIn ?? 0) / 1000 * (price.per1kInput ?? 0) + Double(tokensOut ?? 0) / 1000 * (price.per1kOutput ?? 0)
    }
}

/// Money spent so far in a run, and the cap that stops new work.
public actor CostLedger {
    public private(set) var spentUSD = 0.0
    private var reservedUSD = 0.0
    public let capUSD: Double?
    public private(set) var capReached = false

    public init(capUSD: Double?) { self.capUSD = capUSD }

    /// Reserves `estimate` for one piece of work; false (and the cap is marked reached) when it
    /// would pass the cap. What is already in flight always finishes.
    public func reserve(_ estimate: Double) -> Bool {
        if let capUSD, spentUSD + reservedUSD + estimate > capUSD + 1e-9 {
            capReached = true
            return false
        }
        reservedUSD += estimate
        return true
    }

    public func settle(reserved: Double, actual: Double) {
        reservedUSD -= reserved
        spentUSD += actual
    }
}
