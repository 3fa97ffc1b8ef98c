using System.CommandLine;
using Ouinet.Cli.Configuration;

namespace Ouinet.Cli.Tests.Configuration;

public class OptionSetTests
{
    private static readonly OptionSet Set = new(
    [
        new("endpoint", OptionKind.Value, "Where.", ConfigExample: "127.0.0.1:7070"),
        new("flag", OptionKind.Flag, "A switch.", Default: "false"),
        new("level", OptionKind.Value, "How loud.", Default: "INFO"),
        new("extra", OptionKind.List, "Repeatable."),
    ]);

    private static IReadOnlyDictionary<string, OptionValue> Resolve(string commandLine, string file)
    {
        var command = new RootCommand();
        Set.AddTo(command);
        return Set.Resolve(command.Parse(commandLine), ConfigFile.Parse(file, "test.conf"));
    }

    [Fact]
    public void The_command_line_wins_over_the_file_and_the_file_over_the_default()
    {
        var values = Resolve("--endpoint 1.2.3.4:5 --flag false", "endpoint = 127.0.0.1:1\nflag = yes\nlevel = DEBUG\nextra = a\nextra = b\n");
        Assert.Equal("1.2.3.4:5", values.GetString("endpoint"));
        Assert.Equal("command line", values["endpoint"].Source);
        Assert.False(values.GetFlag("flag"));
        Assert.Equal("DEBUG", values.GetString("level"));
        Assert.Equal("test.conf:3", values["level"].Source);
        Assert.Equal(["a", "b"], values.GetList("extra"));
    }

    [Fact]
    public void Defaults_apply_when_no_source_gives_a_value_and_a_bare_flag_is_true()
    {
        var values = Resolve("--flag", "");
        Assert.True(values.GetFlag("flag"));
        Assert.Equal("INFO", values.GetString("level"));
        Assert.Equal("default", values["level"].Source);
        Assert.Null(values.GetString("endpoint"));
        Assert.Empty(values.GetList("extra"));
    }

    [Fact]
    public void Every_unknown_key_and_malformed_boolean_in_the_file_is_reported()
    {
        var e = Assert.Throws<OptionException>(() => Resolve("", "nope = 1\nflag = maybe\nalso-nope = 2\n"));
        Assert.Equal(3, e.Errors.Count);
        Assert.Contains("test.conf:1: unknown option \"nope\"", e.Errors);
        Assert.Contains(e.Errors, m => m.StartsWith("test.conf:2: flag", StringComparison.Ordinal));
    }

    [Fact]
    public void The_generated_file_documents_every_option_and_reads_back_to_the_defaults()
    {
        var text = Set.FormatConfigFile("Header line");
        Assert.StartsWith("# Header line\n", text, StringComparison.Ordinal);
        Assert.Contains("endpoint = 127.0.0.1:7070\n", text, StringComparison.Ordinal);
        Assert.Contains("#flag = false\n", text, StringComparison.Ordinal);
        Assert.Contains("#level = INFO\n", text, StringComparison.Ordinal);
        var values = Resolve("", text);
        Assert.Equal("127.0.0.1:7070", values.GetString("endpoint"));
        Assert.Equal("INFO", values.GetString("level"));
    }
}
