/// What `baton --version` says.
public enum BatonVersion {
    public static let number = "0.12.0"
}
