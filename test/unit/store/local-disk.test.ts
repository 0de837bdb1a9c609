import { strict as assert } from 'node:assert';
import { StoreLocationError } from '../../../src/errors';
import { assertLocalDisk, assertLockingWorks, isNetworkFilesystem, mountFor, parseMountinfo } from '../../../src/store/local-disk';
import { tempDir } from '../../helpers/temp';

// Lines in /proc/self/mountinfo's format (proc(5)), one per filesystem kind.
const MOUNTINFO = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '40 22 0:35 / /mnt/nfs rw,relatime shared:20 - nfs nas:/export rw,vers=3',
  '41 22 0:36 / /mnt/nfs4 rw,relatime shared:21 - nfs4 nas:/export4 rw,vers=4.2',
  '42 22 0:37 / /mnt/smb rw,relatime shared:22 - cifs //nas/share rw,vers=3.1.1',
  '43 22 0:38 / /mnt/smb3 rw,relatime shared:23 - smb3 //nas/share3 rw',
  '44 22 0:39 / /home/me/remote rw,nosuid,nodev,relatime shared:24 - fuse.sshfs me@host:/srv rw,user_id=0',
  '45 22 0:40 / /mnt/9p rw,relatime shared:25 - 9p hostshare rw,trans=virtio',
  '46 22 0:41 / /var/lib/docker/overlay2/x/merged rw,relatime - overlay overlay rw,lowerdir=/a',
  '47 22 0:42 / /mnt/my\\040share rw,relatime shared:26 - nfs nas:/with\\040space rw',
  '48 44 8:2 / /home/me/remote/local rw,relatime - ext4 /dev/sdb1 rw',
  '49 22 0:43 / /mnt/oldfuse rw,relatime - fuse sshfs#me@host:/srv rw',
  '50 22 0:44 / /mnt/rclone rw,relatime - fuse.rclone gdrive: rw',
  '51 22 0:45 / /run/user/1000/doc rw,relatime - fuse.portal portal rw',
  '52 22 0:46 / /tmp rw,nosuid,nodev - tmpfs tmpfs rw',
].join('\n');

describe('local-disk validation', () => {
  const mounts = parseMountinfo(MOUNTINFO);
  const fsTypeAt = (target: string): string | undefined => mountFor(target, mounts)?.fsType;
  const networkAt = (target: string): boolean => {
    const mount = mountFor(target, mounts);
    return mount !== undefined && isNetworkFilesystem(mount);
  };

  it('parses mount points, types and sources, unescaping octal', () => {
    assert.equal(mounts.length, 14);
    assert.deepEqual(mounts[8], { mountPoint: '/mnt/my share', fsType: 'nfs', source: 'nas:/with space' });
  });

  it('finds the mount holding a path by longest prefix', () => {
    assert.equal(fsTypeAt('/srv/walnut/data'), 'ext4');
    assert.equal(fsTypeAt('/mnt/nfs/walnut'), 'nfs');
    assert.equal(fsTypeAt('/mnt/nfsother'), 'ext4', 'a sibling with a common prefix is not inside');
    assert.equal(fsTypeAt('/home/me/remote/local/db'), 'ext4', 'a local disk mounted inside sshfs is local');
    assert.equal(fsTypeAt('/mnt/my share/x'), 'nfs');
  });

  it('flags network filesystems and leaves local ones alone', () => {
    for (const target of ['/mnt/nfs/a', '/mnt/nfs4/a', '/mnt/smb/a', '/mnt/smb3/a', '/home/me/remote/a', '/mnt/9p/a', '/mnt/my share/a', '/mnt/oldfuse/a', '/mnt/rclone/a']) {
      assert.equal(networkAt(target), true, target);
    }
    for (const target of ['/srv/a', '/var/lib/docker/overlay2/x/merged/a', '/home/me/remote/local/a', '/run/user/1000/doc/a', '/tmp/a']) {
      assert.equal(networkAt(target), false, target);
    }
  });

  it('refuses a network folder with an actionable error, unless overridden', () => {
    const folder = tempDir();
    const nfsEverywhere = `22 1 0:40 / / rw - nfs4 nas:/root rw`;
    assert.throws(
      () => assertLocalDisk(folder, false, nfsEverywhere),
      (e: unknown) => e instanceof StoreLocationError && /network filesystem \(nfs4 at \/\)/.test(e.message) && /WALNUT_ALLOW_NETWORK_FS=true/.test(e.message),
    );
    assert.doesNotThrow(() => assertLocalDisk(folder, true, nfsEverywhere));
    assert.doesNotThrow(() => assertLocalDisk(folder, false, '22 1 8:1 / / rw - ext4 /dev/sda1 rw'));
  });

  it('checks this machine: the temp folder is local and its locking works', () => {
    const folder = tempDir();
    assert.doesNotThrow(() => assertLocalDisk(folder, false));
    assert.doesNotThrow(() => assertLockingWorks(folder));
  });
});
