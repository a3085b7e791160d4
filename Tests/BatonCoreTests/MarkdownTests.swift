import Foundation
import Testing
@testable import BatonCore

@Suite("Markdown")
struct MarkdownTests {
    let renderer = MarkdownRenderer(
        mention: { $0 == "tom" ? .init(url: "/w/1/people/tom", title: "Tom Becker") : nil },
        task: { $0 == 123 ? .init(url: "/w/1/tasks/abc", title: "Ship <it>") : nil })

    @Test("what users write renders as they expect", arguments: [
        ("Hello *world* and **bold**", "<p>Hello <em>world</em> and <strong>bold</strong></p>"),
        ("# Title\n\nText", "<h1>Title</h1><p>Text</p>"),
        ("- one\n- two", "<ul><li>one</li><li>two</li></ul>"),
        ("3. three\n4. four", "<ol start=\"3\"><li>three</li><li>four</li></ol>"),
        ("- [ ] open\n- [x] done", "<ul><li class=\"task\"><input type=\"checkbox\" disabled aria-label=\"not done\"> open</li>"
            + "<li class=\"task\"><input type=\"checkbox\" checked disabled aria-label=\"done\"> done</li></ul>"),
        ("Use `a < b` here", "<p>Use <code>a &lt; b</code> here</p>"),
        ("```swift\nlet x = \"<b>\"\n```", "<pre><code class=\"language-swift\">let x = \"&lt;b&gt;\"\n</code></pre>"),
        ("> quoted", "<blockquote><p>quoted</p></blockquote>"),
        ("[site](https://example.com)", "<p><a href=\"https://example.com\" rel=\"noopener nofollow\">site</a></p>"),
        ("[mail](mailto:a@example.com)", "<p><a href=\"mailto:a@example.com\" rel=\"noopener nofollow\">mail</a></p>"),
        ("| a | b |\n|---|:-:|\n| 1 | 2 |", "<table><thead><tr><th>a</th><th align=\"center\">b</th></tr></thead><tbody><tr><td>1</td><td align=\"center\">2</td></tr></tbody></table>"),
        ("Fish & chips &amp; more &#60;3 &#x3C;3 &nope", "<p>Fish &amp; chips &amp; more &#60;3 &#x3C;3 &amp;nope</p>"),
        ("`a && b &lt;`", "<p><code>a &amp;&amp; b &amp;lt;</code></p>"),
        ("Ask @tom about #123", "<p>Ask <a href=\"/w/1/people/tom\" class=\"mention\" title=\"Tom Becker\">@tom</a> about "
            + "<a href=\"/w/1/tasks/abc\" class=\"reference\" title=\"Ship &lt;it&gt;\">#123</a></p>"),
        ("mail tom@acme.test, @nobody, #9, #123abc, `@tom`", "<p>mail tom@acme.test, @nobody, #9, #123abc, <code>@tom</code></p>"),
    ])
    func renders(markdown: String, html: String) {
        #expect(renderer.html(markdown) == html)
    }

    @Test("raw HTML and hostile links never reach the page", arguments: [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("<a href=\"javascript:alert(1)\">x</a>", "&lt;a href=\"javascript:alert(1)\"&gt;x&lt;/a&gt;"),
        ("[x](javascript:alert(1))", "<p>x</p>"),
        ("[x](JaVaScRiPt:alert(1))", "<p>x</p>"),
        ("[x](java&#115;cript:alert(1))", "<p>x</p>"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>x</p>"),
        ("[x](//evil.example)", "<p>x</p>"),
        ("[x](https://a.example\" onclick=\"alert(1))", "<p><a href=\"https://a.example\" rel=\"noopener nofollow\">x</a></p>"),
        ("![pixel](https://t.example/p.gif)", "<a href=\"https://t.example/p.gif\" rel=\"noopener nofollow\">pixel</a>"),
        ("<div onmouseover=\"x()\">hi</div>", "&lt;div onmouseover=\"x()\"&gt;hi&lt;/div&gt;"),
        ("<iframe src=\"https://evil.example\"></iframe>", "&lt;iframe src=\"https://evil.example\"&gt;&lt;/iframe&gt;"),
        ("&lt;script&gt; &amp; &#60;b&#62;", "<p>&lt;script&gt; &amp; &#60;b&#62;</p>"),
        ("</p></div></body>text", "&lt;/p&gt;&lt;/div&gt;&lt;/body&gt;text"),
        ("<em>unclosed", "<p>&lt;em&gt;unclosed</p>"),
        ("***nested **emphasis*** here**", nil),
        ("```\nunclosed fence <b>", nil),
    ] as [(String, String?)])
    func hostile(markdown: String, html: String?) {
        let rendered = renderer.html(markdown)
        if let html { #expect(rendered.contains(html), "\(rendered)") }
        for forbidden in ["<script", "<img", "<div", "<iframe", "<b>", "<a href=\"javascript", "<a href=\"data", "<a href=\"//", "<a href=\"java&"] {
            #expect(!rendered.lowercased().contains(forbidden), "\(forbidden) in \(rendered)")
        }
        #expect(rendered.range(of: #"<[^>]*\son[a-z]+="#, options: .regularExpression) == nil, "an event handler in \(rendered)")
        #expect(HTMLSanitizer.sanitize(rendered) == rendered, "the output is its own sanitized form")
    }

    @Test("100 KB of any one markdown character renders, as text, without recursing or backtracking")
    func pathological() {
        // "[a](" took 100 s in a release build: Ink read on to a `)` from every `(`
        for unit in ["*", "_", "[", "`", "> ", "- ", "<", "!", "](", "# ", "1. ", "    - ", "|", "<a ", "&#", "[a](", "[a](b "] {
            let rendered = renderer.html(String(repeating: unit, count: 100_000 / unit.count))
            #expect(!rendered.isEmpty, "\(unit)")
            #expect(HTMLSanitizer.sanitize(rendered) == rendered, "\(unit)")
        }
    }

    @Test("a link's target may run for a line's reach; past it, or with no closing bracket, it is text")
    func linkReach() {
        let long = "https://a.example/" + String(repeating: "x", count: 3000)
        #expect(renderer.html("[x](\(long))").contains("<a href=\"\(long)\""))
        let tooLong = "https://a.example/" + String(repeating: "x", count: 5000)
        #expect(!renderer.html("[x](\(tooLong))").contains("<a "))
        #expect(!renderer.html("[x](https://a.example\n)").contains("<a "))
        #expect(renderer.html("see [the plan](https://a.example/plan) and [ this") .contains("<a href=\"https://a.example/plan\""))
    }
}
