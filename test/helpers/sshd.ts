export { assertSshdInstalled, type RealSshd, SSHD_BIN, startRealSshd } from '../../bench/lib/real-sshd';
