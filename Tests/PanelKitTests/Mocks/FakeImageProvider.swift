import Foundation
@testable import PanelKit

/// An image provider for tests: deterministic bytes from the request, counted calls, scripted
/// refusals and prices.
final class FakeImageProvider: ImageProvider, @unchecked Sendable {
    let name = "fake"
    let model = "fake-image-1"
    let acceptsReferenceImages: Bool
    private let lock = NSLock()
    private var requests: [ImageRequest] = []
    private let refuse: Set<String>
    private let cost: Double?

    init(refuse: Set<String> = [], cost: Double? = nil, acceptsReferenceImages: Bool = false) {
        self.refuse = refuse
        self.cost = cost
        self.acceptsReferenceImages = acceptsReferenceImages
    }

    var calls: Int { lock.withLock { requests.count } }
    var panels: [String] { lock.withLock { requests.map(\.layout.panelID).sorted() } }

    func generate(_ request: ImageRequest) async throws(ProviderError) -> GeneratedImage {
        lock.withLock { requests.append(request) }
        if refuse.contains(request.layout.panelID) {
            throw ProviderError(.refused, "content policy: the request was rejected by the safety system")
        }
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47] + Array(SHA256.hex(request.prompt + request.size.description).utf8)
        return GeneratedImage(bytes: bytes, mimeType: "image/png",
                              metadata: ImageMetadata(model: model, seed: 7, requestID: "req-\(request.layout.panelID)", costUSD: cost))
    }
}
