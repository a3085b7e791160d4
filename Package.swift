// swift-tools-version:6.0
import PackageDescription

/// Every target, every configuration: a warning fails the build (CI's debug build included).
let strict: [SwiftSetting] = [
    .unsafeFlags(["-warnings-as-errors"]),
]

let package = Package(
    name: "baton",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "baton", targets: ["baton"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.115.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.12.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.8.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.25.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.4.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/JohnSundell/Ink.git", from: "0.6.0"),
        // already in the graph through Vapor: the SMTP client is built on them directly
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        // also through Vapor: rule webhooks need a client of their own that never follows a redirect
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.24.0"),
    ],
    targets: [
        .target(name: "BatonCore", dependencies: [.product(name: "Ink", package: "Ink")], swiftSettings: strict),
        .target(
            name: "BatonServer",
            dependencies: [
                "BatonCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "baton",
            dependencies: [
                "BatonServer",
                "BatonCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "markdown-bench", dependencies: ["BatonCore"], path: "bench/MarkdownBench", swiftSettings: strict),
        .executableTarget(name: "routing-bench", dependencies: ["BatonCore"], path: "bench/RoutingBench", swiftSettings: strict),
        .testTarget(name: "BatonCoreTests", dependencies: ["BatonCore"], swiftSettings: strict),
        .testTarget(
            name: "BatonServerTests",
            dependencies: [
                "BatonServer",
                .product(name: "VaporTesting", package: "vapor"),
            ],
            swiftSettings: strict
        ),
    ]
)
