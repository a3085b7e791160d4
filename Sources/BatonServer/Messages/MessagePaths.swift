/// The messages' pages: every route and link to them is built from these.
enum MessagePaths {
    static let home = PagePath("messages.home", "/w/:workspaceID/messages")
    static let channel = PagePath("messages.channel", "/w/:workspaceID/channels/:channelID")
    static let thread = PagePath("messages.thread", "/w/:workspaceID/messages/:messageID")
    static let scheduled = PagePath("messages.scheduled", "/w/:workspaceID/scheduled-messages")
    static let search = PagePath("messages.search", "/w/:workspaceID/search/messages")

    static let all = [home, channel, thread, scheduled, search]
}
