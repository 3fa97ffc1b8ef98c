using System.Net;
using System.Security.Cryptography;
using Ouinet.Utp.Tests.Support;
using static Ouinet.Utp.Tests.Interop.BitTorrentWire;

namespace Ouinet.Utp.Tests.Interop;

/// <summary>
/// Tier 3: libtorrent 2.0 (Debian's python3-libtorrent, through shared/interop/utp_peer.py) as the other uTP stack,
/// on 127.0.0.1 only. Data goes both ways: libtorrent seeds to our initiator, and our acceptor seeds to libtorrent.
/// </summary>
public class LibtorrentInteropTests
{
    private const int Size = 2 * 1024 * 1024;
    private const int PieceSize = 256 * 1024;
    private const int BlockSize = 16 * 1024;

    [Fact(Timeout = 90000)]
    public async Task OurInitiator_DownloadsEveryPieceFromALibtorrentSeed_AndTheHashesCheck()
    {
        LibtorrentPeer.SkipUnlessAvailable();
        var ct = TestContext.Current.CancellationToken;
        var port = LibtorrentPeer.FreePort();
        await using var seed = LibtorrentPeer.Start("listen", "--port", $"{port}", "--size", $"{Size}", "--timeout", "80");
        var torrent = await seed.WaitForAsync("torrent", ct);
        await seed.WaitForAsync("ready", ct);
        var infoHash = Convert.FromHexString(torrent.GetProperty("info_hash").GetString()!);
        var pieceHashes = PieceHashes(torrent.GetProperty("torrent_file").GetString()!);
        Assert.Equal(Size / PieceSize, pieceHashes.Count);

        await using var socket = UtpPair.Client();
        await using var stream = await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
        await stream.WriteAsync(Handshake(infoHash), ct);
        var theirs = await ReadExactlyAsync(stream, 68, ct);
        Assert.Equal(infoHash, theirs[28..48]);
        await stream.WriteAsync(Message(Interested), ct);
        while ((await ReadMessageAsync(stream, ct))?.Id is { } id && id != Unchoke)
        {
        }
        // Ask for every block at once: libtorrent answers as fast as the uTP window lets it.
        for (var piece = 0; piece < pieceHashes.Count; piece++)
        {
            for (var begin = 0; begin < PieceSize; begin += BlockSize)
            {
                await stream.WriteAsync(Message(Request, Int(piece), Int(begin), Int(BlockSize)), ct);
            }
        }
        var data = new byte[Size];
        for (var blocks = 0; blocks < Size / BlockSize;)
        {
            var message = await ReadMessageAsync(stream, ct) ?? throw new InvalidDataException("libtorrent closed early");
            if (message.Id != Piece)
            {
                continue;
            }
            var index = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(message.Payload);
            var begin = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(message.Payload.AsSpan(4));
            message.Payload.AsSpan(8).CopyTo(data.AsSpan((index * PieceSize) + begin));
            blocks++;
        }

        for (var piece = 0; piece < pieceHashes.Count; piece++)
        {
#pragma warning disable CA5350 // BitTorrent v1 piece hashes are SHA-1.
            Assert.Equal(pieceHashes[piece], SHA1.HashData(data.AsSpan(piece * PieceSize, PieceSize)));
#pragma warning restore CA5350
        }
        Assert.Equal(Content(0, Size), data);
        Assert.Equal(1400, stream.GetStatistics().PacketSize); // libtorrent never announces large datagrams
        stream.CompleteWrites();
    }

    [Fact(Timeout = 90000)]
    public async Task Libtorrent_ConnectsToOurAcceptor_AndDownloadsTheWholeTorrentFromUs()
    {
        LibtorrentPeer.SkipUnlessAvailable();
        var ct = TestContext.Current.CancellationToken;
        await using var socket = UtpPair.Listener();
        await using var leech = LibtorrentPeer.Start("connect", "--peer", $"127.0.0.1:{socket.LocalEndPoint.Port}", "--leech",
            "--size", $"{Size}", "--exit-when-done", "--timeout", "80", "--redial", "2");
        var torrent = await leech.WaitForAsync("torrent", ct);
        var infoHash = Convert.FromHexString(torrent.GetProperty("info_hash").GetString()!);

        await using var stream = await socket.AcceptAsync(ct);
        var theirs = await ReadExactlyAsync(stream, 68, ct);
        Assert.Equal(infoHash, theirs[28..48]);
        await stream.WriteAsync(Handshake(infoHash), ct);
        await stream.WriteAsync(Message(Bitfield, [(byte)(0xFF << (8 - (Size / PieceSize)))]), ct);
        await stream.WriteAsync(Message(Unchoke), ct);
        var serving = Task.Run(async () =>
        {
            long served = 0;
            while (await ReadMessageAsync(stream, ct) is { } message)
            {
                if (message.Id == Request)
                {
                    var index = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(message.Payload);
                    var begin = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(message.Payload.AsSpan(4));
                    var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(message.Payload.AsSpan(8));
                    await stream.WriteAsync(Message(Piece, Int(index), Int(begin), Content(((long)index * PieceSize) + begin, length)), ct);
                    served += length;
                }
            }
            return served;
        }, ct);

        var finished = await leech.WaitForAsync("finished", ct); // libtorrent checked every piece's SHA-1
        Assert.Equal(Size, finished.GetProperty("bytes").GetInt64());
        Assert.Equal(0, await leech.WaitForExitAsync(ct));
        var served = await serving; // libtorrent's exit closes the connection
        Assert.True(served >= Size, $"served {served} bytes");
        Assert.Equal(1400, stream.GetStatistics().PacketSize);
    }

    private static List<byte[]> PieceHashes(string torrentFile)
    {
        var torrent = (Dictionary<string, object>)Bencode.Decode(File.ReadAllBytes(torrentFile));
        var info = (Dictionary<string, object>)torrent["info"];
        Assert.Equal((long)PieceSize, info["piece length"]);
        var pieces = (byte[])info["pieces"];
        return [.. pieces.Chunk(20)];
    }
}
