using System.Text;

namespace Ouinet.Testing.Origins;

/// <summary>A small web page with sub-resources (stylesheet, script, image), served by <see cref="TestOrigin"/> under <c>/site/</c>.</summary>
public static class TestSite
{
    /// <summary>The text the page's script writes into <c>#js</c> when it ran.</summary>
    public const string ScriptText = "script ran";

    /// <summary>The colour the stylesheet gives <c>#css</c>, as a browser computes it.</summary>
    public const string CssColor = "rgb(1, 2, 3)";

    /// <summary>The heading of the page.</summary>
    public const string Heading = "Ouinet test page";

    // A 2x1 PNG (one red, one blue pixel).
    private static readonly byte[] Logo = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAADUlEQVR4nGP4zwAE/wEHAAH/4iOeWQAAAABJRU5ErkJggg==");

    public static IReadOnlyDictionary<string, (byte[] Content, string ContentType)> Files { get; } = new Dictionary<string, (byte[], string)>
    {
        ["index.html"] = (Encoding.UTF8.GetBytes($"""
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>{Heading}</title><link rel="stylesheet" href="style.css"></head>
            <body><h1>{Heading}</h1><p id="css">styled</p><p id="js">no script</p><img id="logo" src="logo.png" alt="logo">
            <script src="app.js"></script></body></html>
            """), "text/html; charset=utf-8"),
        ["style.css"] = (Encoding.UTF8.GetBytes("#css { color: rgb(1, 2, 3); }\n"), "text/css"),
        ["app.js"] = (Encoding.UTF8.GetBytes($"document.getElementById('js').textContent = '{ScriptText}';\n"), "text/javascript"),
        ["logo.png"] = (Logo, "image/png"),
    };
}
