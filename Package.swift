// swift-tools-version:6.0
import Foundation
import PackageDescription

// Every `Prompts/<name>.yml` (fused.yml included) ships as a resource, so adding a template needs no edit here (but SwiftPM
// caches this manifest: after adding one, change this file once so that it is read again).
let promptTemplates = ((try? FileManager.default.contentsOfDirectory(atPath: Context.packageDirectory + "/Prompts")) ?? [])
    .filter { $0.hasSuffix(".yml") }.sorted().map { Resource.process($0) }

let package = Package(
    name: "panelproc",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "panelproc", targets: ["panelproc"]),
        .library(name: "PanelKit", targets: ["PanelKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CCmarkGFM", pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        .systemLibrary(
            name: "CLibCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CCairoPango", pkgConfig: "pangocairo",
            providers: [.apt(["libcairo2-dev", "libpango1.0-dev"])]),
        .target(name: "PanelPrompts", path: "Prompts", exclude: ["README.md"], resources: promptTemplates),
        .target(
            name: "PanelKit",
            dependencies: [
                "CCmarkGFM", "CLibCrypto", "CCairoPango", "PanelPrompts",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .executableTarget(
            name: "panelproc",
            dependencies: [
                "PanelKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "PanelKitTests",
            dependencies: ["PanelKit", "TestSupport"],
            exclude: ["Fixtures", "Snapshots"]),
        .testTarget(
            name: "panelprocTests",
            dependencies: ["panelproc", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
// Prompts: draft_*.yml and continuity.yml added (manifest re-read)
