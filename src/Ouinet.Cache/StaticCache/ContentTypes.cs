namespace Ouinet.Cache.StaticCache;

/// <summary>The Content-Type a web server would send for a file, from its extension.</summary>
public static class ContentTypes
{
    public const string Default = "application/octet-stream";

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html", [".htm"] = "text/html", [".css"] = "text/css", [".js"] = "text/javascript",
        [".mjs"] = "text/javascript", [".json"] = "application/json", [".txt"] = "text/plain", [".md"] = "text/markdown",
        [".xml"] = "application/xml", [".csv"] = "text/csv", [".svg"] = "image/svg+xml", [".png"] = "image/png",
        [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".gif"] = "image/gif", [".webp"] = "image/webp",
        [".avif"] = "image/avif", [".ico"] = "image/vnd.microsoft.icon", [".bmp"] = "image/bmp",
        [".woff"] = "font/woff", [".woff2"] = "font/woff2", [".ttf"] = "font/ttf", [".otf"] = "font/otf",
        [".mp4"] = "video/mp4", [".webm"] = "video/webm", [".ogv"] = "video/ogg", [".mp3"] = "audio/mpeg",
        [".ogg"] = "audio/ogg", [".opus"] = "audio/opus", [".wav"] = "audio/wav", [".flac"] = "audio/flac",
        [".m4a"] = "audio/mp4", [".pdf"] = "application/pdf", [".epub"] = "application/epub+zip",
        [".zip"] = "application/zip", [".gz"] = "application/gzip", [".tar"] = "application/x-tar",
        [".wasm"] = "application/wasm", [".apk"] = "application/vnd.android.package-archive",
    };

    public static string For(string path) => ByExtension.GetValueOrDefault(Path.GetExtension(path), Default);
}
