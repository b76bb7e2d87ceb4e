extension Duration {
    /// The duration as a number of seconds, for arithmetic, latencies and messages.
    var totalSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
