/**
 * A pure-Python wheel built on demand (Node, for the loopback server): one module named after
 * the project, and the `.dist-info` a wheel needs (METADATA, WHEEL, RECORD with hashes).
 * The zip is written here — entries stored, no compression — because the format's few
 * fixed fields are all a test wheel needs.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

interface Entry {
  name: string;
  data: Buffer;
}

function zip(entries: Entry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const fileName = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); // local file header
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0, 10); // time, date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); // central directory header
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); // end of central directory
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * The wheel `<project>-<version>-py3-none-any.whl`: `import <project>` gives `NAME`,
 * `VERSION` and `shout(text)`.
 */
export function buildWheel(project: string, version: string): Buffer {
  const info = `${project}-${version}.dist-info`;
  const files: Entry[] = [
    {
      name: `${project}/__init__.py`,
      data: Buffer.from(
        `NAME = ${JSON.stringify(project)}\nVERSION = ${JSON.stringify(version)}\n\ndef shout(text):\n    return text.upper() + "!"\n`,
      ),
    },
    { name: `${info}/METADATA`, data: Buffer.from(`Metadata-Version: 2.1\nName: ${project}\nVersion: ${version}\n`) },
    {
      name: `${info}/WHEEL`,
      data: Buffer.from('Wheel-Version: 1.0\nGenerator: sandcell-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n'),
    },
  ];
  const record = files
    .map(({ name, data }) => `${name},sha256=${createHash('sha256').update(data).digest('base64url')},${data.length}`)
    .concat(`${info}/RECORD,,`)
    .join('\n');
  return zip([...files, { name: `${info}/RECORD`, data: Buffer.from(`${record}\n`) }]);
}
