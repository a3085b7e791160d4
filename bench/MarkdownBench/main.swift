// Markdown rendering benchmark: 100 KB inputs through BatonCore's MarkdownRenderer, each timed as
// the median of several runs and printed as a ratio against 100 KB of plain prose rendered in the
// same run. Target: every 100 KB input under 20 ms.
//
//     swift build -c release --product markdown-bench && .build/release/markdown-bench
import BatonCore
import Foundation

let size = 100_000
let prose = "Plain words make a paragraph that goes on for a while without any markup at all. "
let realistic = """
    ## Plan for **the launch**

    We ship the *pricing page* first, then [the checkout](https://example.com/checkout). Ask @maya about #12.

    - [x] Draft the copy
    - [ ] Review with `legal`
    > Quote from the customer: it was *fine*.

    | Step | Owner |
    |------|-------|
    | 1    | Tom   |

    ```
    let answer = 42
    ```

    """
func filled(_ unit: String) -> String { String(repeating: unit, count: size / unit.count) }

let all: [(String, String)] = [
    ("plain prose (baseline)", filled(prose)),
    ("realistic mixed markdown", filled(realistic)),
] + ["*", "_", "`", "[", "]", "(", "<", ">", "&", "!", "|", "#", "-", "\\", "~", "\n", "[a](", "**a", "<b>", "&#", "- [ ] "]
    .map { ("100 KB of \($0.debugDescription)", filled($0)) }
/// `markdown-bench '"|"'` runs the baseline and the inputs whose name contains the argument.
let inputs = CommandLine.arguments.count > 1 ? [all[0]] + all.dropFirst().filter { $0.0.contains(CommandLine.arguments[1]) } : all

let renderer = MarkdownRenderer(mention: { handle in .init(url: "/people#\(handle)", title: handle) },
                                task: { number in .init(url: "/tasks/\(number)", title: "Task \(number)") })

func median(_ text: String, runs: Int = 7) -> Double {
    var times: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = renderer.html(text)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
    }
    return times.sorted()[runs / 2]
}

_ = renderer.html(realistic)  // warm-up
let results = inputs.map { ($0.0, median($0.1)) }
let baseline = results[0].1
print("input".padding(toLength: 30, withPad: " ", startingAt: 0) + "     ms   ratio  under 20 ms")
var slowest = 0.0
for (name, ms) in results {
    slowest = max(slowest, ms)
    print(name.padding(toLength: 30, withPad: " ", startingAt: 0)
          + String(format: "%7.2f %7.2f  %@", ms, ms / baseline, ms < 20 ? "yes" : "NO"))
}
print(String(format: "slowest: %.2f ms", slowest))
