using Ouinet.Cli;

return await OuinetCommand.RunAsync(args);
