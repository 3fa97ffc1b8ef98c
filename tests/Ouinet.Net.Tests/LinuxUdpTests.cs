using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ouinet.Net.Tests;

/// <summary>The native structures and encodings, against the LP64 Linux ABI (x86_64 and arm64 alike).</summary>
public class LinuxUdpTests
{
    [Fact]
    public void Structures_HaveTheKernelsLayout()
    {
        Assert.Equal(16, Unsafe.SizeOf<LinuxUdp.IoVec>());
        Assert.Equal(56, Unsafe.SizeOf<LinuxUdp.MsgHdr>());
        Assert.Equal(64, Unsafe.SizeOf<LinuxUdp.MMsgHdr>());
        Assert.Equal(8, Unsafe.SizeOf<LinuxUdp.PollFd>());
        Assert.Equal(8, (int)Marshal.OffsetOf<LinuxUdp.MsgHdr>(nameof(LinuxUdp.MsgHdr.NameLength)));
        Assert.Equal(16, (int)Marshal.OffsetOf<LinuxUdp.MsgHdr>(nameof(LinuxUdp.MsgHdr.Iov)));
        Assert.Equal(24, (int)Marshal.OffsetOf<LinuxUdp.MsgHdr>(nameof(LinuxUdp.MsgHdr.IovLength)));
        Assert.Equal(32, (int)Marshal.OffsetOf<LinuxUdp.MsgHdr>(nameof(LinuxUdp.MsgHdr.Control)));
        Assert.Equal(40, (int)Marshal.OffsetOf<LinuxUdp.MsgHdr>(nameof(LinuxUdp.MsgHdr.ControlLength)));
        Assert.Equal(48, (int)Marshal.OffsetOf<LinuxUdp.MsgHdr>(nameof(LinuxUdp.MsgHdr.Flags)));
        Assert.Equal(56, (int)Marshal.OffsetOf<LinuxUdp.MMsgHdr>(nameof(LinuxUdp.MMsgHdr.Length)));
    }

    [Fact]
    public void IsSupported_OnThe64BitLinuxTheTestsRunOn()
    {
        var expected = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;
        Assert.Equal(expected, LinuxUdp.IsSupported);
    }

    [Theory]
    [InlineData("127.0.0.1", 6881, 16)]
    [InlineData("203.0.113.9", 1, 16)]
    [InlineData("::1", 51413, 28)]
    [InlineData("2001:db8::42", 65535, 28)]
    public void SockAddr_RoundTrips(string address, int port, int length)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(address), port);
        Span<byte> native = stackalloc byte[LinuxUdp.SockAddrSize];
        Assert.Equal(length, LinuxUdp.WriteSockAddr(endPoint, native));
        Assert.Equal(endPoint, LinuxUdp.ReadSockAddr(native[..length]));
    }

    [Fact]
    public void SockAddr_OfAnotherFamily_IsNull()
    {
        var unix = new byte[16];
        unix[0] = 1; // AF_UNIX
        Assert.Null(LinuxUdp.ReadSockAddr(unix));
        Assert.Null(LinuxUdp.ReadSockAddr([2, 0, 1]));
    }

    [Fact]
    public void Control_WrittenForUdpSegment_IsCmsgLenOfAUInt16()
    {
        Span<byte> control = stackalloc byte[LinuxUdp.ControlSpace];
        Assert.Equal(24, LinuxUdp.WriteControl(control, LinuxUdp.SolUdp, LinuxUdp.UdpSegment, 1400));
        Assert.Equal(18UL, BitConverter.ToUInt64(control)); // the kernel insists on CMSG_LEN(sizeof(u16))
        Assert.Equal(1400, LinuxUdp.ReadControlInt(control, LinuxUdp.SolUdp, LinuxUdp.UdpSegment));
    }

    [Fact]
    public void Control_FindsTheGroSizeAfterAnotherMessage()
    {
        var control = new byte[48];
        BitConverter.TryWriteBytes(control.AsSpan(0), 20UL); // an int-sized message of another kind
        BitConverter.TryWriteBytes(control.AsSpan(8), 0);
        BitConverter.TryWriteBytes(control.AsSpan(12), 8);
        BitConverter.TryWriteBytes(control.AsSpan(24), 20UL); // CMSG_LEN(sizeof(int)) at CMSG_SPACE(4)
        BitConverter.TryWriteBytes(control.AsSpan(32), LinuxUdp.SolUdp);
        BitConverter.TryWriteBytes(control.AsSpan(36), LinuxUdp.UdpGro);
        BitConverter.TryWriteBytes(control.AsSpan(40), 1380);
        Assert.Equal(1380, LinuxUdp.ReadControlInt(control, LinuxUdp.SolUdp, LinuxUdp.UdpGro));
        Assert.Equal(0, LinuxUdp.ReadControlInt(control.AsSpan(0, 24), LinuxUdp.SolUdp, LinuxUdp.UdpGro));
    }

    [Fact]
    public void Control_Malformed_IsIgnored()
    {
        var control = new byte[24];
        BitConverter.TryWriteBytes(control.AsSpan(0), 1000UL); // longer than the buffer
        Assert.Equal(0, LinuxUdp.ReadControlInt(control, LinuxUdp.SolUdp, LinuxUdp.UdpGro));
        BitConverter.TryWriteBytes(control.AsSpan(0), 4UL); // shorter than a header
        Assert.Equal(0, LinuxUdp.ReadControlInt(control, LinuxUdp.SolUdp, LinuxUdp.UdpGro));
    }
}
