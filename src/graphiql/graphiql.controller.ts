import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type {} from '@fastify/static'; // its reply.sendFile
import type { FastifyReply } from 'fastify';
import path from 'node:path';
import { ASSET_PREFIX, assetPath, GRAPHIQL_ASSETS } from './graphiql-assets';

/** Serves the IDE's scripts and styles from node_modules (see graphiql-assets.ts). */
@Controller(ASSET_PREFIX.slice(1))
export class GraphiQLAssetsController {
  @Get(':name')
  asset(@Param('name') name: string, @Res() reply: FastifyReply): void {
    const file = assetPath(name);
    if (!file) throw new NotFoundException();
    // @fastify/static's sendFile (registered for the dashboard, web-app.ts), with the file's own folder as its root.
    void reply.type(GRAPHIQL_ASSETS[name].type).sendFile(path.basename(file), path.dirname(file), { cacheControl: true, maxAge: 86_400_000 });
  }
}
